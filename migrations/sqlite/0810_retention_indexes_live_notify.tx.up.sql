-- The janitor deletes the append-only histories by age (changes after the feed's window, the audit
-- log, door openings and the notification delivery log after their configured retention); without
-- these indexes each run would scan the whole table. (PostgreSQL uses BRIN indexes for the same.)
CREATE INDEX changes_created_brin ON changes (created_at);
CREATE INDEX audit_log_at_brin ON audit_log (at);
CREATE INDEX key_uses_created_brin ON key_uses (created_at);
CREATE INDEX deliveries_created_brin ON deliveries (created_at);

-- (On PostgreSQL this migration also adds the NOTIFY that wakes live updates; SQLite is one
-- process, whose broker polls.)
