-- The report list is ordered by title: with this index a page of it reads
-- its rows in order and stops, instead of sorting every report.
CREATE INDEX reports_title ON reports (title, slug);
