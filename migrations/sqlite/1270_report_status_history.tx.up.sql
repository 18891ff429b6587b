-- Every status an agency gave a report, with its reason by language, so the reporter and the
-- followers see what happened and when, not only where it stands now.
CREATE TABLE report_status_history (
    id            TEXT PRIMARY KEY,
    report_id     TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '{}',
    duplicate_of  TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX report_status_history_report ON report_status_history (report_id, created_at);
