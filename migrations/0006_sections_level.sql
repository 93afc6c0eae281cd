-- A section's depth in the outline (1 at the top). Editions imported before
-- knew two levels: a heading under a parent heading is at level 2.
ALTER TABLE sections ADD COLUMN level INTEGER NOT NULL DEFAULT 1;
UPDATE sections SET level = 2 WHERE parent != '';
