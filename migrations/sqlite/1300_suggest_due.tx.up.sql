-- The daily sweep evaluates a person only on the days time alone may change what the rules
-- decide for them (a flip of a rule's date comparison, a birthday, a key's expiry window, …) and
-- at least once a week; changes to their facts are evaluated by their own events. due_day is that
-- next day (days since 1970-01-01, UTC); a person without a row is due.
CREATE TABLE suggest_due (
    citizen_id TEXT PRIMARY KEY REFERENCES citizens (id) ON DELETE CASCADE,
    due_day    INTEGER NOT NULL,
    decided_at TIMESTAMP NOT NULL -- when the facts it was computed from were read
);
CREATE INDEX suggest_due_day ON suggest_due (due_day);
