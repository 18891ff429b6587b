-- Two-way messages on a citizen's case (or, later, an errand: subject_kind names which). A message
-- from the citizen side has author_id (the citizen, or the representative who wrote it for them);
-- an answer from the agency has external_id, the agency's own id, so its PUT is idempotent.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    agency_id     TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    citizen_id    TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    direction     TEXT NOT NULL,
    author_id     TEXT REFERENCES citizens (id) ON DELETE SET NULL,
    external_id   TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    body          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    seen_at       TIMESTAMP
);
CREATE INDEX messages_subject ON messages (subject_kind, subject_id, created_at);
CREATE INDEX messages_citizen ON messages (citizen_id, created_at);
CREATE UNIQUE INDEX messages_agency_external ON messages (agency_id, external_id);

CREATE TABLE message_attachments (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    storage_key  TEXT NOT NULL,
    UNIQUE (message_id, position)
);
