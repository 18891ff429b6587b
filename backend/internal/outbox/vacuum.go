package outbox

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"minside/backend/internal/store"
)

// Every message leaves dead row versions behind on PostgreSQL (its claim and its outcome each
// write a new one), and a notification to 100 000 devices is ~200 000 messages done within
// minutes. Autovacuum looks at a database once a minute and then works with pauses, so during a
// burst the dead versions pile up, and the claim walks over every one still in its index. So the
// janitor looks at the count every VacuumEvery and vacuums the table itself once it passes
// VacuumDeadRows. SQLite keeps no dead versions (a deleted row's space is reused at once).

// VacuumOutbox runs VACUUM (ANALYZE) on the outbox table when PostgreSQL counts at least
// VacuumDeadRows dead row versions in it beyond what the last such vacuum had to leave, and no
// other vacuum is at work on it already; it reports whether it ran. On SQLite it does nothing.
func (j *Janitor) VacuumOutbox(ctx context.Context) (bool, error) {
	if j.db.Kind != store.Postgres {
		return false, nil
	}
	j.vacuumMu.Lock()
	defer j.vacuumMu.Unlock()
	dead, busy, err := j.deadOutboxRows(ctx)
	if err != nil {
		return false, err
	}
	// Versions an open transaction may still see cannot be removed (a backup that runs for an hour):
	// a vacuum leaves them, and vacuuming again every VacuumEvery would only read the table over.
	// The floor follows the count down when something else (autovacuum) removed them.
	j.vacuumFloor = min(j.vacuumFloor, dead)
	if busy || dead < j.vacuumFloor+int64(j.opts.VacuumDeadRows) {
		return false, nil
	}
	start := time.Now()
	if err := j.vacuum(ctx); err != nil {
		return false, err
	}
	if j.opts.Metrics != nil {
		j.opts.Metrics.vacuums.Inc()
	}
	left, _, err := j.deadOutboxRows(ctx)
	if err != nil {
		return true, err
	}
	j.vacuumFloor = left
	j.opts.Log.Info("janitor: vacuumed the outbox", "dead_rows", dead, "left", left, "took", time.Since(start).Round(time.Millisecond))
	if left >= int64(j.opts.VacuumDeadRows) {
		j.opts.Log.Warn("janitor: the outbox vacuum left dead rows that an open transaction may still see; look for an old xact_start in pg_stat_activity", "left", left)
	}
	return true, nil
}

// deadOutboxRows reads PostgreSQL's count of dead row versions in the outbox table (each backend
// adds its own a second or more after its transactions) and whether a vacuum of the table is
// running. A role without pg_read_all_stats does not see autovacuum's: then VACUUM waits for the
// table, and autovacuum, which gives way to anyone waiting, stops a second later.
func (j *Janitor) deadOutboxRows(ctx context.Context) (dead int64, busy bool, err error) {
	err = j.db.QueryRowContext(ctx, `SELECT s.n_dead_tup,
  EXISTS (SELECT 1 FROM pg_stat_progress_vacuum p WHERE p.relid = s.relid)
FROM pg_stat_user_tables s WHERE s.relid = to_regclass('outbox')`).Scan(&dead, &busy)
	if err != nil {
		return 0, false, fmt.Errorf("janitor: count dead outbox rows: %w", err)
	}
	return dead, busy, nil
}

// vacuum runs VACUUM on a connection of its own, without the pool's statement_timeout (ten request
// deadlines, meant for requests): a table a long burst has bloated may rightly take longer, and a
// vacuum cut short would start over at the next tick. ctx still bounds it. VACUUM cannot run in a
// transaction; a single statement outside one is what it needs.
func (j *Janitor) vacuum(ctx context.Context) error {
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("janitor: vacuum outbox: %w", err)
	}
	// The connection leaves the pool afterwards rather than carry statement_timeout = 0 back into it.
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, "SET statement_timeout = 0"); err != nil {
		return fmt.Errorf("janitor: vacuum outbox: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "VACUUM (ANALYZE) outbox"); err != nil {
		return fmt.Errorf("janitor: vacuum outbox: %w", err)
	}
	return nil
}
