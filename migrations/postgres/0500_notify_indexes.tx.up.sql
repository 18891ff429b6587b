-- Web push and reminders: logout forgets the session's devices; the reminder scheduler scans
-- bookings and keys by time across all citizens.
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_hash);
--bun:split
CREATE INDEX bookings_starts ON bookings (starts_at);
--bun:split
CREATE INDEX keys_valid_from ON keys (valid_from);
--bun:split
CREATE INDEX keys_valid_until ON keys (valid_until);
--bun:split
CREATE INDEX deliveries_subscription ON deliveries (subscription_id);
