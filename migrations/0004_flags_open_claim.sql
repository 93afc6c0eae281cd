-- A list of claims shows each claim's newest open flags and counts them
-- (store.listFlags): this index answers both per claim without reading
-- the flags themselves.
CREATE INDEX flags_open_claim ON flags (claim_id, raised_at) WHERE resolved_at = '';
