-- Proactive suggestions. A rule is published by an agency (through the agency API or its console)
-- with a CEL condition over one person's facts; a suggestion is what a rule made of one person's
-- facts, one per (rule, person, occurrence), so re-evaluation on any replica finds the same row.
CREATE TABLE rules (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,              -- draft, published
    category    TEXT NOT NULL,
    area        TEXT NOT NULL,              -- what a representative's scope must cover
    applies_to  TEXT NOT NULL,              -- person, child, case, booking, key
    events      TEXT NOT NULL DEFAULT '[]', -- empty: a state rule; else the events that trigger it
    condition   TEXT NOT NULL,
    action      TEXT NOT NULL,
    expires_at  TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);

CREATE TABLE suggestions (
    id            TEXT PRIMARY KEY,
    rule_id       TEXT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    citizen_id    TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    occurrence    TEXT NOT NULL,            -- '' for the person, else the id of the child, case, booking or key
    state         TEXT NOT NULL,            -- active, withdrawn, dismissed, done
    facts         TEXT NOT NULL DEFAULT '{}', -- the why-text's values, rendered in the reader's language
    event         TEXT,                    -- the event an event rule fired on
    snoozed_until TIMESTAMP,
    reason        TEXT NOT NULL DEFAULT '', -- why the person dismissed it
    acted_at      TIMESTAMP,
    shown_at      TIMESTAMP,              -- first read by the person
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (rule_id, citizen_id, occurrence)
);
CREATE INDEX suggestions_citizen ON suggestions (citizen_id, state);

-- A person may turn suggestions off entirely or per agency.
ALTER TABLE preferences ADD COLUMN suggestions_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE preferences ADD COLUMN suggestions_off_agencies TEXT NOT NULL DEFAULT '[]';
