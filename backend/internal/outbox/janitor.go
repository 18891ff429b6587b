package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/uptrace/bun"

	"minside/backend/internal/changes"
	"minside/backend/internal/store"
)

// JanitorOptions tune the janitor. Zero values take the defaults named on each field.
type JanitorOptions struct {
	Every          time.Duration // how often it runs (default 1 min)
	KeepDone       time.Duration // done outbox messages are kept this long (default 7 days)
	KeepDead       time.Duration // dead ones, for the operator to look at (default 30 days)
	IdempotencyTTL time.Duration // stored Idempotency-Key answers live this long (default 24 h)
	RateLimitTTL   time.Duration // rate-limit windows that started this long ago are stale (default 48 h)
	// The append-only histories. The audit log is what a citizen's access log shows (who looked at
	// what about them), so it stays long enough for that: 5 years by default. Door openings (the
	// key history) default to 1 year, the notification delivery log to 90 days. The change feed
	// keeps its own window (changes.Retention).
	KeepAudit      time.Duration
	KeepKeyUses    time.Duration
	KeepDeliveries time.Duration
	DeleteBatch    int // rows per delete statement in the histories (default 5000)
	// On PostgreSQL the janitor looks every VacuumEvery (default 15 s) at how many dead row versions
	// the outbox holds, and vacuums it once VacuumDeadRows (default 20 000) have piled up (vacuum.go).
	VacuumEvery    time.Duration
	VacuumDeadRows int
	Metrics        *Metrics
	Log            *slog.Logger
	Now            func() time.Time
}

// Janitor deletes what has outlived its use: finished outbox messages, used door-token ids past
// their expiry, stale idempotency answers, abandoned logins, old rate-limit windows, and the old
// end of the append-only histories (change feed, audit log, door openings, delivery log), so the
// database does not grow with time. Every replica may run one; the deletes are idempotent.
type Janitor struct {
	db   *store.DB
	opts JanitorOptions

	vacuumMu    sync.Mutex
	vacuumFloor int64 // dead outbox rows the last vacuum could not remove

	refusedSummaries sync.Map // index name → struct{}: the role may not summarize it (said once)
}

// NewJanitor builds the janitor of db.
func NewJanitor(db *store.DB, opts JanitorOptions) *Janitor {
	setDefault(&opts.Every, time.Minute)
	setDefault(&opts.KeepDone, 7*24*time.Hour)
	setDefault(&opts.KeepDead, 30*24*time.Hour)
	setDefault(&opts.IdempotencyTTL, 24*time.Hour)
	setDefault(&opts.RateLimitTTL, 48*time.Hour)
	setDefault(&opts.KeepAudit, 5*365*24*time.Hour)
	setDefault(&opts.KeepKeyUses, 365*24*time.Hour)
	setDefault(&opts.KeepDeliveries, 90*24*time.Hour)
	setDefault(&opts.DeleteBatch, 5000)
	setDefault(&opts.VacuumEvery, 15*time.Second)
	setDefault(&opts.VacuumDeadRows, 20000)
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Janitor{db: db, opts: opts}
}

// Run cleans once at start and then every opts.Every until ctx ends; on PostgreSQL it also
// vacuums the outbox when it falls behind, looking every opts.VacuumEvery.
func (j *Janitor) Run(ctx context.Context) {
	t := time.NewTicker(j.opts.Every)
	defer t.Stop()
	var vacuumTick <-chan time.Time // none on SQLite
	if j.db.Kind == store.Postgres {
		v := time.NewTicker(j.opts.VacuumEvery)
		defer v.Stop()
		vacuumTick = v.C
	}
	j.cleanAndCount(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			j.cleanAndCount(ctx)
		case <-vacuumTick:
			if _, err := j.VacuumOutbox(ctx); err != nil && ctx.Err() == nil {
				j.opts.Log.Error("janitor: vacuum outbox", "err", err)
			}
		}
	}
}

func (j *Janitor) cleanAndCount(ctx context.Context) {
	if _, err := j.Clean(ctx); err != nil && ctx.Err() == nil {
		j.opts.Log.Error("janitor: clean", "err", err)
	}
	if err := j.Count(ctx); err != nil && ctx.Err() == nil {
		j.opts.Log.Error("janitor: count outbox", "err", err)
	}
}

// Clean deletes expired rows and reports how many per table.
func (j *Janitor) Clean(ctx context.Context) (map[string]int64, error) {
	now := store.UTC(j.opts.Now())
	steps := []struct {
		table, where string
		arg          any
	}{
		{"outbox", "status = 'done' AND done_at < ?", now.Add(-j.opts.KeepDone)},
		{"outbox", "status = 'dead' AND done_at < ?", now.Add(-j.opts.KeepDead)},
		{"used_tokens", "expires_at < ?", now},
		{"login_attempts", "expires_at < ?", now},
		{"idempotency_keys", "created_at < ?", now.Add(-j.opts.IdempotencyTTL)},
		{"rate_limits", "window_start < ?", now.Add(-j.opts.RateLimitTTL)},
		// Expired drafts are no longer shown: their texts, then the drafts (the agency's record
		// stays, so a later PUT of it creates the draft again).
		{"texts", "owner_kind = 'task' AND owner_id IN (SELECT id FROM tasks WHERE kind = 'draft' AND expires_at < ?)", now},
		{"tasks", "kind = 'draft' AND expires_at < ?", now},
	}
	deleted := map[string]int64{}
	for _, s := range steps {
		res, err := j.db.NewDelete().TableExpr(s.table).Where(s.where, s.arg).Exec(ctx)
		if err != nil {
			return deleted, fmt.Errorf("janitor: delete from %s: %w", s.table, err)
		}
		n, _ := res.RowsAffected()
		j.count(deleted, s.table, n)
	}
	// The histories can hold millions of old rows (the first run after an upgrade, a long outage):
	// they go in batches, so no statement holds locks or builds WAL for minutes. The delta feed
	// keeps its window; a client behind it gets 410 and resyncs.
	histories := []struct{ table, key, column, byAge string }{
		{"changes", "seq", "created_at", "changes_created_brin"},
		{"audit_log", "id", "at", "audit_log_at_brin"},
		{"key_uses", "id", "created_at", "key_uses_created_brin"},
		{"deliveries", "id", "created_at", "deliveries_created_brin"},
	}
	before := []time.Time{changes.PruneBefore(now), now.Add(-j.opts.KeepAudit), now.Add(-j.opts.KeepKeyUses), now.Add(-j.opts.KeepDeliveries)}
	for i, h := range histories {
		j.summarize(ctx, h.byAge)
		n, err := j.deleteInBatches(ctx, h.table, h.key, h.column+" < ?", before[i])
		j.count(deleted, h.table, n)
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// summarize brings a history's index by age up to date before the janitor asks it for old rows. On
// PostgreSQL that index is a BRIN, which knows nothing of the block ranges written since VACUUM last
// summarized it, and a query reads every such range whole: with autovacuum off or behind (after a
// bulk load, say) every run read the whole history. Summarizing reads only the new ranges, once.
// On SQLite the index is a B-tree, always current. Summarizing takes the table's owner (or, from
// PostgreSQL 17, MAINTAIN): where the portal's role lacks it, the delete still runs, only slower,
// the log says why once, and the janitor stops asking until the process restarts.
func (j *Janitor) summarize(ctx context.Context, index string) {
	if j.db.Kind != store.Postgres {
		return
	}
	if _, refused := j.refusedSummaries.Load(index); refused {
		return
	}
	_, err := j.db.ExecContext(ctx, "SELECT brin_summarize_new_values(?::regclass)", index)
	if err == nil || ctx.Err() != nil {
		return
	}
	if store.Forbidden(err) {
		j.refusedSummaries.Store(index, struct{}{})
	}
	j.opts.Log.Warn("janitor: summarize the index by age", "index", index, "err", err)
}

// deleteInBatches deletes the rows of table matching where, DeleteBatch rows per statement.
func (j *Janitor) deleteInBatches(ctx context.Context, table, key, where string, arg any) (int64, error) {
	var total int64
	for {
		batch := j.db.NewSelect().TableExpr(table).Column(key).Where(where, arg).Limit(int64(j.opts.DeleteBatch))
		res, err := j.db.NewDelete().TableExpr(table).Where("? IN (?)", bun.Ident(key), batch).Exec(ctx)
		if err != nil {
			return total, fmt.Errorf("janitor: delete from %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < int64(j.opts.DeleteBatch) {
			return total, nil
		}
	}
}

func (j *Janitor) count(deleted map[string]int64, table string, n int64) {
	deleted[table] += n
	if j.opts.Metrics != nil && n > 0 {
		j.opts.Metrics.cleaned.WithLabelValues(table).Add(float64(n))
	}
}

// Count refreshes the gauges of pending and dead messages by topic, and how long the oldest due
// message of each topic has waited.
func (j *Janitor) Count(ctx context.Context) error {
	if j.opts.Metrics == nil {
		return nil
	}
	var rows []struct {
		Topic  string `bun:"topic"`
		Status string `bun:"status"`
		N      int64  `bun:"n"`
	}
	err := j.db.NewSelect().TableExpr("outbox").ColumnExpr("topic, status, count(*) AS n").
		Where("status IN (?, ?)", StatusPending, StatusDead).GroupExpr("topic, status").Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("janitor: count outbox: %w", err)
	}
	j.opts.Metrics.messages.Reset()
	for _, r := range rows {
		j.opts.Metrics.messages.WithLabelValues(r.Topic, r.Status).Set(float64(r.N))
	}
	now := store.UTC(j.opts.Now())
	var oldest []struct {
		Topic string    `bun:"topic"`
		Since time.Time `bun:"since"`
	}
	err = j.db.NewSelect().TableExpr("outbox").ColumnExpr("topic, min(available_at) AS since").
		Where("status = ? AND available_at <= ?", StatusPending, now).GroupExpr("topic").Scan(ctx, &oldest)
	if err != nil {
		return fmt.Errorf("janitor: oldest due message: %w", err)
	}
	j.opts.Metrics.waiting.Reset()
	for _, r := range oldest {
		j.opts.Metrics.waiting.WithLabelValues(r.Topic).Set(now.Sub(r.Since).Seconds())
	}
	return nil
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}

// RequeueDead gives dead messages of a topic a fresh set of attempts, e.g. after an agency fixed
// its endpoint. It reports how many were requeued. For an operator command; no worker calls it.
func RequeueDead(ctx context.Context, db *store.DB, topic string, now time.Time) (int64, error) {
	res, err := db.NewUpdate().Model((*Message)(nil)).
		Set("status = ?", StatusPending).Set("attempts = 0").Set("available_at = ?", store.UTC(now)).
		Set("done_at = NULL").Set("locked_by = NULL").Set("locked_until = NULL").
		Where("status = ?", StatusDead).Where("topic = ?", topic).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox: requeue dead %s: %w", topic, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
