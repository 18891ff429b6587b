package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/seed"
)

const seedUsage = `Usage:
  minside seed                          seed the demo municipality into an empty database
  minside seed --citizens N [--batch B] add N synthetic citizens with their items (scale tests)
`

// seedCommand seeds the demo set, or adds synthetic citizens for scale tests.
func seedCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { _, _ = io.WriteString(stdout, seedUsage); fs.PrintDefaults() }
	n := fs.Int("citizens", 0, "add this many synthetic citizens (0: seed the demo set)")
	batch := fs.Int("batch", 1000, "citizens per transaction")
	chunk := fs.Int("chunk", 2000, "rows per INSERT statement on SQLite (PostgreSQL takes each batch by COPY)")
	writers := fs.Int("writers", 2, "batches written at once on PostgreSQL, each on its own connection")
	randomSeed := fs.Uint64("random-seed", 1, "random seed of the generator")
	databaseURL := fs.String("database-url", "", "sqlite:<path> or postgres://… (MINSIDE_DATABASE_URL)")
	env := fs.String("env", "", "dev or production (MINSIDE_ENV)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *n < 0 || *batch < 1 || *chunk < 1 || *writers < 1 {
		return fmt.Errorf("minside seed: bad arguments\n\n%s", seedUsage)
	}
	var overrides []string
	if *databaseURL != "" {
		overrides = append(overrides, "--database-url", *databaseURL)
	}
	if *env != "" {
		overrides = append(overrides, "--env", *env)
	}
	cfg, err := loadConfig(getenv, overrides)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	cfg.SeedDemo = false // this command decides what to seed
	log, err := app.NewLogger(cfg, stdout)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	s := seed.New(a.DB, a.Citizens, log)

	if *n == 0 {
		sum, seeded, err := s.Demo(ctx, time.Now())
		if err != nil {
			return err
		}
		if !seeded {
			_, err = fmt.Fprintln(stdout, "The database already has agencies; the demo set was not seeded.")
			return err
		}
		_, err = fmt.Fprintf(stdout, "Seeded the demo municipality: %d agencies, %d citizens, %d cases, %d bookings, %d keys, %d notifications, %d tiles in %s.\n",
			sum.Agencies, sum.Citizens, sum.Cases, sum.Bookings, sum.Keys, sum.Notifications, sum.Tiles, sum.Elapsed.Round(time.Millisecond))
		return err
	}
	sum, err := s.Citizens(ctx, *n, seed.ScaleOptions{Batch: *batch, Chunk: *chunk, Writers: *writers, Seed: *randomSeed}, time.Now())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Added %d citizens (%d guardianships, %d cases, %d bookings, %d keys, %d notifications; %d rows) to the %s database in %s (%.0f citizens/s).\n",
		sum.Citizens, sum.Relations, sum.Cases, sum.Bookings, sum.Keys, sum.Notifications, sum.Rows, a.DB.Kind,
		sum.Elapsed.Round(time.Millisecond), float64(sum.Citizens)/sum.Elapsed.Seconds())
	return err
}
