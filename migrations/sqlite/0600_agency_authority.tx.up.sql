-- Which agency may say who represents whom: the operator grants an agency the authority for a kind
-- of relation (guardian: the population register; power_of_attorney: the agency named for it). A
-- relation from an agency without the authority for its kind grants nothing. Nothing is granted
-- here: the operator grants it (`minside agency authority grant`), the demo seed grants its own.
CREATE TABLE agency_authorities (
    agency_id  TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_id, kind)
);
--bun:split
-- A notification's dedupe key belongs to the agency that chose it: unique per (agency, citizen, key),
-- so another agency's use of the same key neither collides with it nor reveals it. SQLite cannot
-- drop a table constraint, so the table is rebuilt (nothing references notifications).
CREATE TABLE notifications_rebuilt (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT,
    citizen_id  TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    urgency     TEXT NOT NULL DEFAULT 'normal',
    link        TEXT NOT NULL DEFAULT '',
    dedupe_key  TEXT,
    read_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id),
    UNIQUE (agency_id, citizen_id, dedupe_key)
);
--bun:split
INSERT INTO notifications_rebuilt (id, agency_id, external_id, citizen_id, category, urgency, link, dedupe_key, read_at, created_at)
SELECT id, agency_id, external_id, citizen_id, category, urgency, link, dedupe_key, read_at, created_at FROM notifications;
--bun:split
DROP TABLE notifications;
--bun:split
ALTER TABLE notifications_rebuilt RENAME TO notifications;
--bun:split
CREATE INDEX notifications_citizen_created ON notifications (citizen_id, created_at);
--bun:split
CREATE INDEX notifications_citizen_unread ON notifications (citizen_id, created_at) WHERE read_at IS NULL;
