package overviewbench

import (
	"context"
	"os"
	"testing"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/citizens"
	"minside/backend/internal/pid"
	"minside/backend/internal/seed"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// BenchmarkOverviewWithErrands measures, as BenchmarkOverview does, the overview of people whose first
// screen is the busiest there is: an errand of three cases from three agencies (with a step waiting
// for a third party), a document to acknowledge, an open task, a draft and an unread answer, beside
// their bookings, key and notifications. The city is the one `minside seed --citizens N` writes (one
// citizen in five has all of that): a database named by MINSIDE_BENCH_DATABASE_URL_SQLITE /
// _POSTGRES when set, else generated once per size with the seed generator and kept (SQLite:
// $TMPDIR/minside-bench/seeded-<n>.db; PostgreSQL: schema bench_seeded_<n>). The row printed also
// gives the round trips one overview costs (X-DB-Round-Trips): 1 on PostgreSQL for a session seen
// before, 2 otherwise.
func BenchmarkOverviewWithErrands(b *testing.B) {
	for _, kind := range []store.Kind{store.SQLite, store.Postgres} {
		if databaseURL, n, ok := seededDatabase(b, kind); ok {
			b.Run(string(kind), func(b *testing.B) { benchOverview(b, databaseURL, n, "with errands", logInWithErrands) })
		}
	}
}

// logInWithErrands logs in k people who have an errand, spread over the city.
func logInWithErrands(b testing.TB, a *app.App, k int) []string {
	return logInWhere(b, a, `SELECT e.citizen_id FROM errands e JOIN citizens c ON c.id = e.citizen_id ORDER BY c.pid_hash LIMIT ?`, k)
}

// seededDatabase is kind's city written by the seed generator, and how many citizens it holds.
func seededDatabase(b *testing.B, kind store.Kind) (databaseURL string, citizens int, ok bool) {
	for _, name := range benchDatabaseEnv[kind] {
		if u := os.Getenv(name); u != "" {
			return u, prepareSeeded(b, u), true
		}
	}
	n := citizensWanted()
	switch {
	case kind == store.SQLite:
		return cachedSQLite(b, "seeded", n, fillSeeded), n, true
	case os.Getenv(storetest.PostgresDSNEnv) != "":
		return cachedPostgres(b, "seeded", n, fillSeeded), n, true
	}
	return "", 0, false
}

// fillSeeded writes n citizens as `minside seed --citizens n` does (COPY on PostgreSQL).
func fillSeeded(b testing.TB, databaseURL string, n int) {
	ctx := context.Background()
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, quiet); err != nil {
		b.Fatal(err)
	}
	p, err := pid.NewPseudonymizer([]byte(secret()))
	if err != nil {
		b.Fatal(err)
	}
	sum, err := seed.New(db, citizens.NewDirectory(p, true), nil).Citizens(ctx, n, seed.ScaleOptions{Seed: 1}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d citizens on %s in %s", sum.Citizens, db.Kind, sum.Elapsed.Round(time.Second))
}
