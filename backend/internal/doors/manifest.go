package doors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
)

// DefaultPollInterval is how often each adapter's manifest is fetched, across all replicas.
const DefaultPollInterval = 30 * time.Second

// Poller fetches every configured adapter's manifest and stores what it saw in lock_adapters.
// The result lives in the database, not per process: every replica then shows a citizen the same
// state, the overview reads it in the same query as the doors, and a claim (claimed_at) lets one
// replica poll an adapter per interval however many replicas run.
type Poller struct {
	db       *store.DB
	client   *http.Client
	log      *slog.Logger
	now      func() time.Time
	interval time.Duration
}

// NewPoller builds the poller; interval zero means DefaultPollInterval.
func NewPoller(db *store.DB, client *http.Client, log *slog.Logger, now func() time.Time, interval time.Duration) *Poller {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Poller{db: db, client: client, log: log, now: now, interval: interval}
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		if err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("doors: manifest poll", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll fetches the manifest of every adapter not checked by any replica within most of an
// interval, and records up or down.
func (p *Poller) Poll(ctx context.Context) error {
	var due []LockAdapter
	now := store.UTC(p.now())
	// A claim older than most of an interval is free again (its replica may have died mid-poll).
	stale := now.Add(-p.interval * 4 / 5)
	if err := p.db.NewSelect().Model(&due).Where("claimed_at IS NULL OR claimed_at < ?", stale).Scan(ctx); err != nil {
		return fmt.Errorf("doors: due adapters: %w", err)
	}
	// Adapters are polled side by side: one that hangs costs its own timeout, not everyone's.
	var (
		wg    sync.WaitGroup
		slots = make(chan struct{}, pollParallel)
		errs  = make([]error, len(due))
	)
	for i, la := range due {
		res, err := p.db.NewUpdate().Model((*LockAdapter)(nil)).Set("claimed_at = ?", now).
			Where("facility_id = ?", la.FacilityID).Where("claimed_at IS NULL OR claimed_at < ?", stale).Exec(ctx)
		if err != nil {
			errs[i] = fmt.Errorf("doors: claim adapter: %w", err)
			break
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another replica polls it
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = p.check(ctx, la)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// pollParallel bounds the manifests fetched at once by one replica.
const pollParallel = 8

// check fetches one manifest and stores the outcome.
func (p *Poller) check(ctx context.Context, la LockAdapter) error {
	var doorIDs []string
	if err := p.db.NewSelect().Table("access_points").Column("external_id").
		Where("facility_id = ?", la.FacilityID).Scan(ctx, &doorIDs); err != nil {
		return fmt.Errorf("doors: facility doors: %w", err)
	}
	out, fetchErr := p.fetch(ctx, la, doorIDs)
	status, lastError := AdapterUp, ""
	if fetchErr != nil {
		status, lastError = AdapterDown, fetchErr.Error()
		p.log.Warn("doors: lock adapter down", "facility", la.FacilityID, "url", la.URL, "err", fetchErr)
	}
	list, _ := json.Marshal(out)
	if out == nil {
		list = []byte("[]")
	}
	now := store.UTC(p.now())
	// A change of what the key cards show is a change of those keys, so open apps hear of it
	// through the changes feed instead of at the next full reload.
	changed := status != la.Status || string(list) != la.DoorsOutOfOrder
	return p.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*LockAdapter)(nil)).
			Set("checked_at = ?", now).Set("status = ?", status).
			Set("doors_out_of_order = ?", string(list)).Set("last_error = ?", lastError).
			Where("facility_id = ?", la.FacilityID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("doors: store manifest: %w", err)
		}
		if !changed {
			return nil
		}
		var affected []keys.Key
		if err := tx.NewSelect().Model(&affected).Column("id", "citizen_id").
			Where("facility_id = ?", la.FacilityID).Where("valid_until > ?", now).Scan(ctx); err != nil {
			return fmt.Errorf("doors: keys of the facility: %w", err)
		}
		for _, k := range affected {
			if err := changes.Record(ctx, tx, &k.CitizenID, "key", k.ID, changes.OpUpsert, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// fetch reads and checks the manifest; it returns the facility's doors that are out of order
// (listed so, or missing from it).
func (p *Poller) fetch(ctx context.Context, la LockAdapter, doorIDs []string) ([]string, error) {
	key, err := ParsePublicKey(la.PublicKey)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, min(p.interval/3, 5*time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, la.URL+ManifestPath, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("manifest: HTTP %d", resp.StatusCode)
	}
	if !VerifyBody(key, body, resp.Header.Get(SignatureHeader)) {
		return nil, errors.New("manifest: no valid signature")
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, errors.New("manifest: malformed")
	}
	if age := p.now().Sub(m.At); age > ManifestMaxAge || age < -ManifestMaxAge {
		return nil, fmt.Errorf("manifest: dated %s, too far from now", m.At.UTC().Format(time.RFC3339))
	}
	ok := map[string]bool{}
	for _, d := range m.Doors {
		ok[d.ID] = d.Status == DoorOK
	}
	var out []string
	for _, id := range doorIDs {
		if !ok[id] {
			out = append(out, id)
		}
	}
	return out, nil
}
