-- Errands: one matter of one citizen across agencies. The lead agency creates the errand and names
-- the agencies allowed to join; each agency attaches its own cases (cases.errand_id). status is the
-- merged status of the attached cases (errands.MergedStatus), kept here so the overview reads it.
CREATE TABLE errands (
    id          UUID PRIMARY KEY,
    agency_id   UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE, -- the lead agency
    external_id TEXT NOT NULL,
    version     BIGINT NOT NULL,
    citizen_id  UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    area        TEXT NOT NULL,               -- what a representative's scope must cover
    status      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX errands_citizen_updated ON errands (citizen_id, updated_at);

-- The agencies the lead allows to attach cases (the lead itself is always allowed).
CREATE TABLE errand_agencies (
    errand_id UUID NOT NULL REFERENCES errands (id) ON DELETE CASCADE,
    agency_id UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    PRIMARY KEY (errand_id, agency_id)
);

ALTER TABLE cases ADD COLUMN errand_id UUID REFERENCES errands (id) ON DELETE SET NULL;
ALTER TABLE cases ADD COLUMN shared_with_errand BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX cases_errand ON cases (errand_id) WHERE errand_id IS NOT NULL;
ALTER TABLE case_events ADD COLUMN shared_with_errand BOOLEAN NOT NULL DEFAULT FALSE;

-- What happens next on a case, and who waits for whom: the agency for the citizen, for itself, or
-- for a third party (texts: "text", "party"). The list is replaced on every write of the case.
CREATE TABLE case_steps (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    waiting_for TEXT NOT NULL,               -- citizen, agency, third_party
    due_at      TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, position);
