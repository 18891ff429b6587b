-- The janitor deletes the append-only histories by age (changes after the feed's window, the audit
-- log, door openings and the notification delivery log after their configured retention). Rows
-- arrive in time order, so a BRIN index (a few pages even at millions of rows) finds the old end
-- without the write cost of a B-tree on every insert.
CREATE INDEX changes_created_brin ON changes USING brin (created_at);
CREATE INDEX audit_log_at_brin ON audit_log USING brin (at);
CREATE INDEX key_uses_created_brin ON key_uses USING brin (created_at);
CREATE INDEX deliveries_created_brin ON deliveries USING brin (created_at);

-- Live updates: every statement that adds changes wakes the brokers of every replica (LISTEN
-- minside_changes) when its transaction commits, instead of their waiting for the next poll.
-- PostgreSQL folds identical notifications of one transaction into one.
CREATE FUNCTION minside_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('minside_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER changes_notify AFTER INSERT ON changes FOR EACH STATEMENT EXECUTE FUNCTION minside_changes_notify();
