package live

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"minside/backend/internal/store"
)

// changesChannel is notified by a statement trigger on changes (migration 0810) when a transaction
// that added changes commits, on any replica.
const changesChannel = "minside_changes"

// minPollGap is the least time between the end of a poll and a poll a notification triggers, so
// a burst of commits costs one poll per gap and replica rather than one per commit (commits that
// arrive during a poll or a gap share the next one). It is short, measured from the end of the
// poll, so that commits a few milliseconds apart, one writer's, do not wait for it: from the
// start of the poll and at 20 ms it added up to 20 ms to most events of a steady writer.
const minPollGap = 5 * time.Millisecond

// listen wakes the broker when changes commit (PostgreSQL only), so an event does not wait for the
// next poll. Polling stays: it is the fallback while the listening connection is down, and the
// only way on SQLite, where every writer is this process. It uses a connection of its own, not one
// from the pool: LISTEN holds its session (behind PgBouncer it needs a direct connection).
func (b *Broker) listen(ctx context.Context, wake chan<- struct{}) {
	if b.db.Kind != store.Postgres {
		return
	}
	for ctx.Err() == nil {
		err := listenOnce(ctx, b.db, wake)
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("live: listen for changes; polling meanwhile", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
}

func listenOnce(ctx context.Context, db *store.DB, wake chan<- struct{}) error {
	cfg, err := db.ConnConfig()
	if err != nil {
		return fmt.Errorf("live: connect: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("live: connect: %w", err) // pgx's connect errors name no password
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return fmt.Errorf("live: listen: %w", err)
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("live: wait for a notification: %w", err)
		}
		select {
		case wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}
