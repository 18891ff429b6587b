-- Proactive suggestions. A rule is published by an agency (through the agency API or its console)
-- with a CEL condition over one person's facts; a suggestion is what a rule made of one person's
-- facts, one per (rule, person, occurrence), so re-evaluation on any replica finds the same row.
CREATE TABLE rules (
    id          UUID PRIMARY KEY,
    agency_id   UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    version     BIGINT NOT NULL,
    status      TEXT NOT NULL,              -- draft, published
    category    TEXT NOT NULL,
    area        TEXT NOT NULL,              -- what a representative's scope must cover
    applies_to  TEXT NOT NULL,              -- person, child, case, booking, key
    events      JSONB NOT NULL DEFAULT '[]', -- empty: a state rule; else the events that trigger it
    condition   TEXT NOT NULL,
    action      JSONB NOT NULL,
    expires_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);

CREATE TABLE suggestions (
    id            UUID PRIMARY KEY,
    rule_id       UUID NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    citizen_id    UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    occurrence    TEXT NOT NULL,            -- '' for the person, else the id of the child, case, booking or key
    state         TEXT NOT NULL,            -- active, withdrawn, dismissed, done
    facts         JSONB NOT NULL DEFAULT '{}', -- the why-text's values, rendered in the reader's language
    event         JSONB,                    -- the event an event rule fired on
    snoozed_until TIMESTAMPTZ,
    reason        TEXT NOT NULL DEFAULT '', -- why the person dismissed it
    acted_at      TIMESTAMPTZ,
    shown_at      TIMESTAMPTZ,              -- first read by the person
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (rule_id, citizen_id, occurrence)
);
CREATE INDEX suggestions_citizen ON suggestions (citizen_id, state);

-- A person may turn suggestions off entirely or per agency.
ALTER TABLE preferences ADD COLUMN suggestions_off BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE preferences ADD COLUMN suggestions_off_agencies JSONB NOT NULL DEFAULT '[]';
