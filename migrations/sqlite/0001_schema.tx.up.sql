-- The whole domain schema of Min side (SQLite). The PostgreSQL twin has the same tables and columns.
-- Ids are UUIDv7 text; times are UTC text as Bun writes them; booleans are 0/1; JSON is text.

CREATE TABLE agencies (
    id             TEXT PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    webhook_url    TEXT,
    webhook_secret TEXT,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE agency_api_keys (
    id           TEXT PRIMARY KEY,
    agency_id    TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX agency_api_keys_agency ON agency_api_keys (agency_id);

CREATE TABLE citizens (
    id                  TEXT PRIMARY KEY,
    pid_hash            TEXT NOT NULL UNIQUE,
    pid_masked          TEXT NOT NULL,
    birth_date          DATE NOT NULL,
    name                TEXT NOT NULL DEFAULT '',
    district            TEXT NOT NULL DEFAULT '',
    calendar_token_hash TEXT UNIQUE,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    last_login_at       TIMESTAMP
);

CREATE TABLE citizen_roles (
    citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (citizen_id, role, scope)
);

CREATE TABLE preferences (
    citizen_id                 TEXT PRIMARY KEY REFERENCES citizens (id) ON DELETE CASCADE,
    language                   TEXT NOT NULL DEFAULT '',
    quiet_start                TEXT NOT NULL DEFAULT '22:00',
    quiet_end                  TEXT NOT NULL DEFAULT '07:00',
    timezone                   TEXT NOT NULL DEFAULT 'Europe/Oslo',
    channels                   TEXT NOT NULL DEFAULT '{}',
    represented_notifications  INTEGER NOT NULL DEFAULT 1,
    updated_at                 TIMESTAMP NOT NULL
);

-- Per-language agency text (titles, bodies, descriptions), for any owner table.
CREATE TABLE texts (
    owner_kind TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    field      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, field, lang)
);

CREATE TABLE relations (
    id                TEXT PRIMARY KEY,
    agency_id         TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,
    version           INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    representative_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    scopes            TEXT,
    valid_from        TIMESTAMP NOT NULL,
    valid_until       TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX relations_representative ON relations (representative_id);
CREATE INDEX relations_subject ON relations (subject_id);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    agency_id       TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    version         INTEGER NOT NULL,
    citizen_id      TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL DEFAULT '',
    area            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    next_action_due TIMESTAMP,
    deep_link       TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX cases_citizen_updated ON cases (citizen_id, updated_at);

CREATE TABLE case_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    status      TEXT,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (case_id, external_id)
);

CREATE TABLE case_documents (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    doc_type    TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (case_id, external_id)
);

-- Dialogporten's seen log: who first opened a case, once per person.
CREATE TABLE case_seen (
    case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    citizen_id    TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    first_seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, citizen_id)
);

CREATE TABLE facilities (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);

CREATE TABLE access_points (
    id          TEXT PRIMARY KEY,
    facility_id TEXT NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (facility_id, external_id)
);

CREATE TABLE bookings (
    id                TEXT PRIMARY KEY,
    agency_id         TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,
    version           INTEGER NOT NULL,
    citizen_id        TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    area              TEXT NOT NULL DEFAULT '',
    place_name        TEXT NOT NULL DEFAULT '',
    place_address     TEXT NOT NULL DEFAULT '',
    starts_at         TIMESTAMP NOT NULL,
    ends_at           TIMESTAMP NOT NULL,
    status            TEXT NOT NULL,
    cancellable_until TIMESTAMP,
    cancelled_at      TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX bookings_citizen_starts ON bookings (citizen_id, starts_at);

CREATE TABLE keys (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    citizen_id  TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    facility_id TEXT NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    booking_id  TEXT REFERENCES bookings (id) ON DELETE SET NULL,
    status      TEXT NOT NULL,
    valid_from  TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX keys_citizen_until ON keys (citizen_id, valid_until);

-- When a key works; valid_from/valid_until on keys is the envelope of these windows.
CREATE TABLE key_windows (
    id        TEXT PRIMARY KEY,
    key_id    TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at   TIMESTAMP NOT NULL
);
CREATE INDEX key_windows_key ON key_windows (key_id, starts_at);

CREATE TABLE key_access_points (
    key_id          TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    access_point_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
    PRIMARY KEY (key_id, access_point_id)
);

CREATE TABLE key_uses (
    id               TEXT PRIMARY KEY,
    key_id           TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    access_point_id  TEXT NOT NULL,
    citizen_id       TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    actor_citizen_id TEXT NOT NULL,
    result           TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX key_uses_key ON key_uses (key_id, created_at);

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT,
    citizen_id  TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    urgency     TEXT NOT NULL DEFAULT 'normal',
    link        TEXT NOT NULL DEFAULT '',
    dedupe_key  TEXT,
    read_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id),
    UNIQUE (citizen_id, dedupe_key)
);
CREATE INDEX notifications_citizen_created ON notifications (citizen_id, created_at);

CREATE TABLE tiles (
    id            TEXT PRIMARY KEY,
    agency_id     TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    version       INTEGER NOT NULL,
    link          TEXT NOT NULL,
    icon          TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    targeting     TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'draft',
    publish_from  TIMESTAMP,
    publish_until TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);

CREATE TABLE push_subscriptions (
    id           TEXT PRIMARY KEY,
    citizen_id   TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    session_hash TEXT,
    endpoint     TEXT NOT NULL UNIQUE,
    p256dh       TEXT NOT NULL,
    auth         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_sent_at TIMESTAMP,
    failures     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_subscriptions_citizen ON push_subscriptions (citizen_id);

-- "What we sent you": one row per notification and channel.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    notification_id TEXT,
    subscription_id TEXT,
    channel         TEXT NOT NULL,
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_citizen ON deliveries (citizen_id, created_at);

CREATE TABLE sessions (
    id_hash             TEXT PRIMARY KEY,
    citizen_id          TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    acting_as_id        TEXT REFERENCES citizens (id) ON DELETE SET NULL,
    acr                 TEXT NOT NULL,
    idp_sid             TEXT NOT NULL DEFAULT '',
    end_session_hint    TEXT,
    csrf_token          TEXT NOT NULL,
    shared_device       INTEGER NOT NULL DEFAULT 0,
    user_agent          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    last_seen_at        TIMESTAMP NOT NULL,
    idle_expires_at     TIMESTAMP NOT NULL,
    absolute_expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_citizen ON sessions (citizen_id);
CREATE INDEX sessions_idp_sid ON sessions (idp_sid);

-- A login in progress: state, nonce and PKCE verifier, each used once.
CREATE TABLE login_attempts (
    state_hash    TEXT PRIMARY KEY,
    nonce         TEXT NOT NULL,
    verifier      TEXT NOT NULL,
    acr           TEXT NOT NULL,
    return_to     TEXT NOT NULL DEFAULT '/',
    shared_device INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    response     BLOB,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Side effects (push, webhooks, reminders), written in the transaction that caused them.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    topic        TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    available_at TIMESTAMP NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMP,
    last_error   TEXT,
    created_at   TIMESTAMP NOT NULL,
    done_at      TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, available_at);

-- The delta feed for offline clients; citizen_id NULL means a change visible to everyone (tiles).
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id TEXT,
    kind       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    op         TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX changes_citizen_seq ON changes (citizen_id, seq);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT,
    subject_id TEXT,
    action     TEXT NOT NULL,
    object_kind TEXT NOT NULL DEFAULT '',
    object_id  TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE TABLE translation_overrides (
    lang         TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    forms        TEXT NOT NULL,
    source_hash  TEXT NOT NULL DEFAULT '',
    needs_review INTEGER NOT NULL DEFAULT 0,
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (lang, message_id)
);

CREATE TABLE translation_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    lang       TEXT NOT NULL,
    message_id TEXT NOT NULL,
    old_forms  TEXT,
    new_forms  TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- Single-use ids of door tokens (and other signed tokens), kept until they expire.
CREATE TABLE used_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);

-- Fixed-window counters shared by every replica (door opening, login attempts).
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL
);
