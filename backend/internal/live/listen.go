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

// minPollGap spaces polls that notifications trigger, so a burst of commits costs at most one poll
// per gap and replica rather than one per commit.
const minPollGap = 20 * time.Millisecond

// listen wakes the broker when changes commit (PostgreSQL only), so an event does not wait for the
// next poll. Polling stays: it is the fallback while the listening connection is down, and the
// only way on SQLite, where every writer is this process. It uses a connection of its own, not one
// from the pool: LISTEN holds its session (behind PgBouncer it needs a direct connection).
func (b *Broker) listen(ctx context.Context, wake chan<- struct{}) {
	if b.db.Kind != store.Postgres {
		return
	}
	for ctx.Err() == nil {
		err := listenOnce(ctx, b.db.DSN, wake)
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

func listenOnce(ctx context.Context, dsn string, wake chan<- struct{}) error {
	conn, err := pgx.Connect(ctx, dsn)
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
