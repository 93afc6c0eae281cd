-- The newest event about no claim (users, editions, sources, tokens) is half
-- of a claim page's version (review.ClaimVersion); without this index,
-- finding it scans the history.
CREATE INDEX events_unclaimed ON events (seq) WHERE claim_id IS NULL;
