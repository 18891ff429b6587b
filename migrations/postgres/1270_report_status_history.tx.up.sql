-- Every status an agency gave a report, with its reason by language, so the reporter and the
-- followers see what happened and when, not only where it stands now.
CREATE TABLE report_status_history (
    id            UUID PRIMARY KEY,
    report_id     UUID NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    reason        JSONB NOT NULL DEFAULT '{}',
    duplicate_of  UUID,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_status_history_report ON report_status_history (report_id, created_at);
