-- Delivery: the outbox worker claims pending messages oldest first; the janitor deletes by expiry.
CREATE INDEX outbox_pending_due ON outbox (available_at, id) WHERE status = 'pending';

--bun:split

CREATE INDEX outbox_finished ON outbox (status, done_at);

--bun:split

CREATE INDEX janitor_used_tokens_expiry ON used_tokens (expires_at);

--bun:split

CREATE INDEX janitor_login_attempts_expiry ON login_attempts (expires_at);

--bun:split

CREATE INDEX janitor_idempotency_keys_age ON idempotency_keys (created_at);
