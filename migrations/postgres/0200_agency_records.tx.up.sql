-- What each agency last sent for each of its records, keyed by (agency, kind, external id): the
-- version that decides 409/200/update, the portal object it became, and the record as the agency
-- sent it with every national identity number replaced by its masked form (the answer to GET).
CREATE TABLE agency_records (
    agency_id   UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    object_id   UUID NOT NULL,
    citizen_id  UUID REFERENCES citizens (id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    body        JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, kind, external_id)
);
CREATE INDEX agency_records_object ON agency_records (object_id);

CREATE INDEX agency_api_keys_prefix ON agency_api_keys (prefix);
