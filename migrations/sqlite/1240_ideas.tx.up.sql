-- The idea channel: improvement ideas from residents, supported by others, moderated by the agency
-- the operator gives the "ideas" authority (agency_authorities). The author's district is copied
-- at submission: others see "a resident of <district>", never who, and a later move does not
-- rewrite what was shown. The reasons of a status and of hiding are the moderator's localized
-- texts (texts: owner_kind 'idea', fields status_reason and hidden_reason).
CREATE TABLE ideas (
    id            TEXT PRIMARY KEY,
    author_id     TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    district      TEXT NOT NULL DEFAULT '',
    area          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    photo_key     TEXT,
    photo_type    TEXT,
    photo_size    INTEGER,
    status        TEXT NOT NULL,
    hidden_at     TIMESTAMP,
    moderated_by  TEXT REFERENCES agencies (id) ON DELETE SET NULL,
    support_count INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX ideas_visible_newest ON ideas (created_at, id) WHERE hidden_at IS NULL;
CREATE INDEX ideas_visible_supported ON ideas (support_count, created_at, id) WHERE hidden_at IS NULL;
-- One area's list in either order (the PWA's filter) without walking every other area's ideas.
CREATE INDEX ideas_visible_area_newest ON ideas (area, created_at, id) WHERE hidden_at IS NULL;
CREATE INDEX ideas_visible_area_supported ON ideas (area, support_count, created_at, id) WHERE hidden_at IS NULL;
CREATE INDEX ideas_author ON ideas (author_id, created_at);

-- One support per person and idea: the primary key makes a repeated support change nothing.
CREATE TABLE idea_supports (
    idea_id    TEXT NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, citizen_id)
);
CREATE INDEX idea_supports_citizen ON idea_supports (citizen_id);
