-- The whole domain schema of Min side (PostgreSQL). The SQLite twin has the same tables and columns.
-- Ids are UUIDv7; times are timestamptz; JSON is jsonb.

CREATE TABLE agencies (
    id             UUID PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    webhook_url    TEXT,
    webhook_secret TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE agency_api_keys (
    id           UUID PRIMARY KEY,
    agency_id    UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX agency_api_keys_agency ON agency_api_keys (agency_id);

CREATE TABLE citizens (
    id                  UUID PRIMARY KEY,
    pid_hash            TEXT NOT NULL UNIQUE,
    pid_masked          TEXT NOT NULL,
    birth_date          DATE NOT NULL,
    name                TEXT NOT NULL DEFAULT '',
    district            TEXT NOT NULL DEFAULT '',
    calendar_token_hash TEXT UNIQUE,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    last_login_at       TIMESTAMPTZ
);

CREATE TABLE citizen_roles (
    citizen_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (citizen_id, role, scope)
);

CREATE TABLE preferences (
    citizen_id                 UUID PRIMARY KEY REFERENCES citizens (id) ON DELETE CASCADE,
    language                   TEXT NOT NULL DEFAULT '',
    quiet_start                TEXT NOT NULL DEFAULT '22:00',
    quiet_end                  TEXT NOT NULL DEFAULT '07:00',
    timezone                   TEXT NOT NULL DEFAULT 'Europe/Oslo',
    channels                   JSONB NOT NULL DEFAULT '{}',
    represented_notifications  BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at                 TIMESTAMPTZ NOT NULL
);

-- Per-language agency text (titles, bodies, descriptions), for any owner table.
CREATE TABLE texts (
    owner_kind TEXT NOT NULL,
    owner_id   UUID NOT NULL,
    field      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, field, lang)
);

CREATE TABLE relations (
    id                UUID PRIMARY KEY,
    agency_id         UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,
    version           BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    representative_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    subject_id        UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    scopes            JSONB,
    valid_from        TIMESTAMPTZ NOT NULL,
    valid_until       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX relations_representative ON relations (representative_id);
CREATE INDEX relations_subject ON relations (subject_id);

CREATE TABLE cases (
    id              UUID PRIMARY KEY,
    agency_id       UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    version         BIGINT NOT NULL,
    citizen_id      UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL DEFAULT '',
    area            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    next_action_due TIMESTAMPTZ,
    deep_link       TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX cases_citizen_updated ON cases (citizen_id, updated_at);

CREATE TABLE case_events (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    status      TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, external_id)
);

CREATE TABLE case_documents (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    doc_type    TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, external_id)
);

-- Dialogporten's seen log: who first opened a case, once per person.
CREATE TABLE case_seen (
    case_id       UUID NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    citizen_id    UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    first_seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, citizen_id)
);

CREATE TABLE facilities (
    id          UUID PRIMARY KEY,
    agency_id   UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);

CREATE TABLE access_points (
    id          UUID PRIMARY KEY,
    facility_id UUID NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (facility_id, external_id)
);

CREATE TABLE bookings (
    id                UUID PRIMARY KEY,
    agency_id         UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,
    version           BIGINT NOT NULL,
    citizen_id        UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    area              TEXT NOT NULL DEFAULT '',
    place_name        TEXT NOT NULL DEFAULT '',
    place_address     TEXT NOT NULL DEFAULT '',
    starts_at         TIMESTAMPTZ NOT NULL,
    ends_at           TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL,
    cancellable_until TIMESTAMPTZ,
    cancelled_at      TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX bookings_citizen_starts ON bookings (citizen_id, starts_at);

CREATE TABLE keys (
    id          UUID PRIMARY KEY,
    agency_id   UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    version     BIGINT NOT NULL,
    citizen_id  UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    facility_id UUID NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    booking_id  UUID REFERENCES bookings (id) ON DELETE SET NULL,
    status      TEXT NOT NULL,
    valid_from  TIMESTAMPTZ NOT NULL,
    valid_until TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);
CREATE INDEX keys_citizen_until ON keys (citizen_id, valid_until);

-- When a key works; valid_from/valid_until on keys is the envelope of these windows.
CREATE TABLE key_windows (
    id        UUID PRIMARY KEY,
    key_id    UUID NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX key_windows_key ON key_windows (key_id, starts_at);

CREATE TABLE key_access_points (
    key_id          UUID NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    access_point_id UUID NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
    PRIMARY KEY (key_id, access_point_id)
);

CREATE TABLE key_uses (
    id               UUID PRIMARY KEY,
    key_id           UUID NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    access_point_id  UUID NOT NULL,
    citizen_id       UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    actor_citizen_id TEXT NOT NULL,
    result           TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX key_uses_key ON key_uses (key_id, created_at);

CREATE TABLE notifications (
    id          UUID PRIMARY KEY,
    agency_id   UUID REFERENCES agencies (id) ON DELETE CASCADE,
    external_id TEXT,
    citizen_id  UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    urgency     TEXT NOT NULL DEFAULT 'normal',
    link        TEXT NOT NULL DEFAULT '',
    dedupe_key  TEXT,
    read_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id),
    UNIQUE (citizen_id, dedupe_key)
);
CREATE INDEX notifications_citizen_created ON notifications (citizen_id, created_at);

CREATE TABLE tiles (
    id            UUID PRIMARY KEY,
    agency_id     UUID NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    version       BIGINT NOT NULL,
    link          TEXT NOT NULL,
    icon          TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    targeting     JSONB NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'draft',
    publish_from  TIMESTAMPTZ,
    publish_until TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);

CREATE TABLE push_subscriptions (
    id           UUID PRIMARY KEY,
    citizen_id   UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    session_hash TEXT,
    endpoint     TEXT NOT NULL UNIQUE,
    p256dh       TEXT NOT NULL,
    auth         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_sent_at TIMESTAMPTZ,
    failures     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_subscriptions_citizen ON push_subscriptions (citizen_id);

-- "What we sent you": one row per notification and channel.
CREATE TABLE deliveries (
    id              UUID PRIMARY KEY,
    citizen_id      UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    notification_id TEXT,
    subscription_id TEXT,
    channel         TEXT NOT NULL,
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX deliveries_citizen ON deliveries (citizen_id, created_at);

CREATE TABLE sessions (
    id_hash             TEXT PRIMARY KEY,
    citizen_id          UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    acting_as_id        UUID REFERENCES citizens (id) ON DELETE SET NULL,
    acr                 TEXT NOT NULL,
    idp_sid             TEXT NOT NULL DEFAULT '',
    end_session_hint    TEXT,
    csrf_token          TEXT NOT NULL,
    shared_device       BOOLEAN NOT NULL DEFAULT FALSE,
    user_agent          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    idle_expires_at     TIMESTAMPTZ NOT NULL,
    absolute_expires_at TIMESTAMPTZ NOT NULL
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
    shared_device BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    response     BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Side effects (push, webhooks, reminders), written in the transaction that caused them.
CREATE TABLE outbox (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    topic        TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    payload      JSONB NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    available_at TIMESTAMPTZ NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (status, available_at);

-- The delta feed for offline clients; citizen_id NULL means a change visible to everyone (tiles).
CREATE TABLE changes (
    seq        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    citizen_id UUID,
    kind       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    op         TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- Readers only return rows whose transaction is older than every running one, so a change that
    -- commits late is never skipped (see the changes feed).
    txid       XID8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX changes_citizen_seq ON changes (citizen_id, seq);
CREATE INDEX changes_txid ON changes (txid, seq);

CREATE TABLE audit_log (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT,
    subject_id UUID,
    action     TEXT NOT NULL,
    object_kind TEXT NOT NULL DEFAULT '',
    object_id  TEXT NOT NULL DEFAULT '',
    detail     JSONB NOT NULL DEFAULT '{}',
    request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE TABLE translation_overrides (
    lang         TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    forms        JSONB NOT NULL,
    source_hash  TEXT NOT NULL DEFAULT '',
    needs_review BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lang, message_id)
);

CREATE TABLE translation_history (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    lang       TEXT NOT NULL,
    message_id TEXT NOT NULL,
    old_forms  JSONB,
    new_forms  JSONB NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);

-- Single-use ids of door tokens (and other signed tokens), kept until they expire.
CREATE TABLE used_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Fixed-window counters shared by every replica (door opening, login attempts).
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER NOT NULL
);
