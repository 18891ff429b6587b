package files

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/outbox"
)

// TopicDelete is the outbox topic that removes files whose rows are gone. Rows and bytes live in
// two systems, so one transaction cannot remove both: the rows go in the caller's transaction and
// the keys travel in the outbox written by that same transaction. A rollback keeps both; a commit
// is followed by the deletion, retried until the store answers, so a crash in between leaves a
// pending message rather than files that nothing points at.
const TopicDelete = "files.delete"

// deleteBatch bounds the keys one outbox message carries, so one message stays a short job.
const deleteBatch = 100

type deletion struct {
	Keys []string `json:"keys"`
}

// EnqueueDelete writes, in the caller's transaction, the outbox messages that delete the files
// under keys once it commits. Keys that could not name a file are refused here, not later.
func EnqueueDelete(ctx context.Context, db bun.IDB, keys []string, now time.Time) error {
	var msgs []outbox.Message
	for start := 0; start < len(keys); start += deleteBatch {
		part := keys[start:min(start+deleteBatch, len(keys))]
		for _, k := range part {
			if err := checkKey(k); err != nil {
				return err
			}
		}
		m, err := outbox.NewMessage(TopicDelete, deletion{Keys: part}, now, outbox.Options{})
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	_, err := outbox.EnqueueAll(ctx, db, msgs)
	return err
}

// DeleteHandler is the outbox handler of TopicDelete on s. Deleting a missing key is not an
// error, so running a message again after a partial run is harmless.
func DeleteHandler(s Store) outbox.Handler {
	return func(ctx context.Context, m outbox.Message) outbox.Result {
		var d deletion
		if err := json.Unmarshal(m.Payload, &d); err != nil {
			return outbox.Dead("files: unreadable deletion")
		}
		for _, k := range d.Keys {
			if err := s.Delete(ctx, k); err != nil {
				// The reason names no key: a key is an attachment id, which is the citizen's.
				return outbox.Retry(0, "files: the store refused a deletion")
			}
		}
		return outbox.Done()
	}
}
