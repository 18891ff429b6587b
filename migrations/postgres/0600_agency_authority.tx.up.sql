-- Which agency may say who represents whom: the operator grants an agency the authority for a kind
-- of relation (guardian: the population register; power_of_attorney: the agency named for it). A
-- relation from an agency without the authority for its kind grants nothing. Nothing is granted
-- here: the operator grants it (`minside agency authority grant`), the demo seed grants its own.
CREATE TABLE agency_authorities (
    agency_id  UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, kind)
);
--bun:split
-- A notification's dedupe key belongs to the agency that chose it: unique per (agency, citizen, key),
-- so another agency's use of the same key neither collides with it nor reveals it.
ALTER TABLE notifications DROP CONSTRAINT notifications_citizen_id_dedupe_key_key;
--bun:split
ALTER TABLE notifications ADD CONSTRAINT notifications_agency_citizen_dedupe_key UNIQUE (agency_id, citizen_id, dedupe_key);
