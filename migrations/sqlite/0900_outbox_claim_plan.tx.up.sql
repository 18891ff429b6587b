-- Nothing to do on SQLite. PostgreSQL's half of this migration fixes the claim's plan, drops the
-- (status, available_at) index and tunes the table's autovacuum; SQLite has no per-table vacuum
-- settings, and its planner reads outbox_due (status, available_at) in order for the claim: without
-- it, it picked outbox_finished and sorted every pending message.
SELECT 1;
