-- The reporting service. Services (what can be reported) belong to an agency and are written
-- through the agency API; their code is global (Open311's service_code), so one agency cannot take
-- another's. Names and descriptions live in texts (owner_kind 'report_service'); the questions
-- carry their own localized labels as JSON.
CREATE TABLE report_services (
    id           TEXT PRIMARY KEY,
    agency_id    TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    code         TEXT NOT NULL UNIQUE,
    service_group TEXT NOT NULL,
    keywords     TEXT NOT NULL DEFAULT '[]',
    photo        TEXT NOT NULL,
    place        TEXT NOT NULL,
    questions    TEXT NOT NULL DEFAULT '[]',
    active       INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX report_services_agency ON report_services (agency_id, code);

-- A report: the person's (citizen_id) or anonymous (follow_token_hash: the private link's token is
-- never stored). The place is kept in integer micro-degrees, so one composite index on plain
-- integers serves the nearby and area queries on both engines; closed_at is null while open.
CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    service_id        TEXT NOT NULL REFERENCES report_services (id) ON DELETE CASCADE,
    agency_id         TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    citizen_id        TEXT REFERENCES citizens (id) ON DELETE SET NULL,
    follow_token_hash TEXT,
    channel           TEXT NOT NULL,
    description       TEXT NOT NULL,
    lat_micro         INTEGER,
    lon_micro         INTEGER,
    address           TEXT NOT NULL DEFAULT '',
    answers           TEXT NOT NULL DEFAULT '{}',
    media_url         TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    duplicate_of      TEXT,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    closed_at         TIMESTAMP
);
CREATE INDEX reports_open_place ON reports (service_id, lat_micro, lon_micro) WHERE closed_at IS NULL;
CREATE INDEX reports_open_area ON reports (lat_micro, lon_micro) WHERE closed_at IS NULL;
CREATE INDEX reports_agency ON reports (agency_id, id);
CREATE INDEX reports_citizen ON reports (citizen_id, id);
CREATE INDEX reports_service_created ON reports (service_id, created_at);

CREATE TABLE report_photos (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    storage_key  TEXT NOT NULL,
    UNIQUE (report_id, position)
);

-- People who follow a report they did not write (FixMyStreet's "follow this one instead").
CREATE TABLE report_followers (
    report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    citizen_id  TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (report_id, citizen_id)
);
CREATE INDEX report_followers_citizen ON report_followers (citizen_id);
