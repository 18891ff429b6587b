-- A facility's lock adapter: where the portal sends door tokens, and the Ed25519 public key that
-- signs the adapter's answers and manifest. The poll columns hold the last manifest check, shared
-- by every replica: claimed_at lets one replica poll an adapter per interval, status is what the
-- citizen's key card shows (unknown until the first poll, then up or down), doors_out_of_order the
-- doors the manifest lists as out of order or does not list at all (a JSON array of external ids).
CREATE TABLE lock_adapters (
    facility_id        UUID PRIMARY KEY REFERENCES facilities (id) ON DELETE CASCADE,
    url                TEXT NOT NULL,
    public_key         TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    claimed_at         TIMESTAMPTZ,
    checked_at         TIMESTAMPTZ,
    status             TEXT NOT NULL DEFAULT 'unknown',
    doors_out_of_order TEXT NOT NULL DEFAULT '[]',
    last_error         TEXT NOT NULL DEFAULT ''
);
