-- Search only asks which claims match, never how well (no matchinfo, no
-- ranking), so the full-text index need not keep per-document sizes: with
-- matchinfo=fts3, FTS4 keeps no %_docsize table, and every note, flag or
-- source written touches one page fewer. Rebuilt from its own rows.
CREATE VIRTUAL TABLE claim_search_new USING fts4 (body, claim_id, notindexed=claim_id, matchinfo=fts3, tokenize=unicode61);
INSERT INTO claim_search_new (body, claim_id) SELECT body, claim_id FROM claim_search;
DROP TABLE claim_search;
ALTER TABLE claim_search_new RENAME TO claim_search;
