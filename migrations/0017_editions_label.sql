-- A claims list of one edition label across reports counts its claims
-- from edition_counts, finding the editions by label.
CREATE INDEX editions_label ON editions (label);
