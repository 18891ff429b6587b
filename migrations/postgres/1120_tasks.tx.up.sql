-- Tasks and drafts from agencies. A task asks the citizen to do something by a date and stays in
-- "needs your action" until the agency closes it; a draft is an application the citizen started in
-- the agency's system, shown with "continue" until submitted or expired. One table: both are
-- agency items in "needs your action" with a title, a body, a link and a date.
CREATE TABLE tasks (
    id          UUID PRIMARY KEY,
    agency_id   UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- task, draft
    version     BIGINT NOT NULL,
    citizen_id  UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    area        TEXT NOT NULL,              -- what a representative's scope must cover
    status      TEXT NOT NULL,              -- task: open, done, closed; draft: open, submitted
    due_at      TIMESTAMPTZ,                -- a task's date
    expires_at  TIMESTAMPTZ,                -- a draft's end: not shown after, deleted by the janitor
    link        TEXT NOT NULL DEFAULT '',
    case_id     UUID REFERENCES cases (id) ON DELETE SET NULL,
    sensitive   BOOLEAN NOT NULL DEFAULT FALSE, -- content only at the step-up level
    seen_at     TIMESTAMPTZ,                -- first shown to the citizen (or someone acting for them)
    reminded_at TIMESTAMPTZ,                -- the one reminder of an unseen task
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, kind, external_id)
);
CREATE INDEX tasks_citizen_open ON tasks (citizen_id, status);
CREATE INDEX tasks_unseen ON tasks (created_at) WHERE status = 'open' AND kind = 'task' AND seen_at IS NULL AND reminded_at IS NULL;
CREATE INDEX tasks_expires ON tasks (expires_at) WHERE expires_at IS NOT NULL;
