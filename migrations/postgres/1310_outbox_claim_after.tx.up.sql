-- The claim reads outbox_pending_due from its head, and until the next vacuum the head holds the
-- entries of every message finished since the last one: during a burst of a million pushes, tens
-- of thousands of entries walked per claim (18 ms a claim, 28 of PostgreSQL's 69 s at 300,000
-- devices). Everything before the first message a worker's last full claim took is finished or in
-- some worker's hands, so this claim starts there (after_at, after_id). The worker claims from the
-- head again every few seconds and after any claim that comes back short, for the few messages
-- that end up behind it: handed back by a stopping worker, left by a crashed one, or committed
-- late with an earlier available_at. The claim without a start stays for the previous release.
CREATE FUNCTION outbox_claim(worker TEXT, lease_until TIMESTAMPTZ, topics TEXT[], due TIMESTAMPTZ, batch INTEGER,
                             after_at TIMESTAMPTZ, after_id BIGINT)
RETURNS SETOF outbox
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $$
UPDATE outbox SET locked_by = worker, locked_until = lease_until, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox
    WHERE status = 'pending' AND topic = ANY (topics) AND available_at <= due
      AND (available_at, id) >= (after_at, after_id)
      AND (locked_until IS NULL OR locked_until < due)
    ORDER BY available_at, id LIMIT batch FOR UPDATE SKIP LOCKED)
RETURNING *
$$;
