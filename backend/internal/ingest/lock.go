package ingest

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// claimVersion marks a record row that lockRecord inserted for a record not stored yet; agency
// versions start at 1. The row never outlives its transaction with this version: the write
// replaces it, or the transaction (or the bulk line's savepoint) is rolled back.
const claimVersion = 0

// lockRecord returns the agency's record and holds it until tx ends: on PostgreSQL with a row
// lock (read committed re-reads a row it waited for, so a write never decides on a stale version);
// on SQLite the transaction holds the database's write lock already (BEGIN IMMEDIATE). A record
// not stored yet is claimed by inserting a placeholder (version claimVersion), so two creates of
// one external id meet on the row's key instead of both inserting their portal objects: the
// second waits for the first to commit, finds nothing to insert, and reads the first's record.
func lockRecord(ctx context.Context, tx bun.Tx, agencyID string, kind Kind, externalID string, now time.Time) (*record, error) {
	// A claim can lose to a create, and the record then to a delete, each committed in between;
	// a few rounds are plenty.
	for range 4 {
		r, err := findRecord(ctx, tx, agencyID, kind, externalID, true)
		if err != nil || r != nil {
			return r, err
		}
		r = &record{AgencyID: agencyID, Kind: string(kind), ExternalID: externalID, ObjectID: store.NewID(),
			Version: claimVersion, Body: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
		res, err := tx.NewInsert().Model(r).On("CONFLICT (agency_id, kind, external_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("ingest: claim %s: %w", kind, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return r, nil
		}
	}
	return nil, fmt.Errorf("ingest: claim %s: the record keeps changing", kind)
}

// claimRecords takes every record a bulk batch writes before it writes any, in one statement and
// in key order, claiming the new ones as lockRecord does (the no-op update of an existing row
// takes its lock on PostgreSQL; on SQLite the write transaction holds the whole database). Batches
// that share records then queue for them instead of each holding some and waiting for the others
// (a deadlock, which PostgreSQL breaks only after a second). It returns every record of the batch
// as stored, a claim (version claimVersion) where none was; dropClaims removes the claims no line
// stored.
func claimRecords(ctx context.Context, tx bun.Tx, agencyID string, keys []recordKey, now time.Time) (map[recordKey]*record, error) {
	out := make(map[recordKey]*record, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	keys = sortedRecordKeys(keys)
	rows := make([]record, len(keys))
	for i, k := range keys {
		rows[i] = record{AgencyID: agencyID, Kind: string(k.kind), ExternalID: k.externalID, ObjectID: store.NewID(),
			Version: claimVersion, Body: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
	}
	var stored []record
	if err := tx.NewInsert().Model(&rows).
		On("CONFLICT (agency_id, kind, external_id) DO UPDATE").Set("version = ?TableAlias.version").
		Returning("*").Scan(ctx, &stored); err != nil {
		return nil, fmt.Errorf("ingest: claim records: %w", err)
	}
	for i := range stored {
		out[recordKey{Kind(stored[i].Kind), stored[i].ExternalID}] = &stored[i]
	}
	if len(out) != len(keys) {
		return nil, fmt.Errorf("ingest: claim records: %d rows for %d records", len(out), len(keys))
	}
	return out, nil
}

// claims lists the records claimRecords claimed as new.
func claims(records map[recordKey]*record) []recordKey {
	var keys []recordKey
	for k, r := range records {
		if r.Version == claimVersion {
			keys = append(keys, k)
		}
	}
	return keys
}

// dropClaims deletes the placeholders of claimRecords that are still placeholders: records whose
// lines were refused.
func dropClaims(ctx context.Context, tx bun.Tx, agencyID string, claimed []recordKey) error {
	byKind := map[Kind][]string{}
	for _, k := range claimed {
		byKind[k.kind] = append(byKind[k.kind], k.externalID)
	}
	for kind, ids := range byKind {
		if _, err := tx.NewDelete().Model((*record)(nil)).
			Where("agency_id = ? AND kind = ? AND external_id IN (?) AND version = ?", agencyID, string(kind), bun.In(ids), claimVersion).
			Exec(ctx); err != nil {
			return fmt.Errorf("ingest: drop claims: %w", err)
		}
	}
	return nil
}

// sortedRecordKeys orders record keys as every claimer takes them.
func sortedRecordKeys(keys []recordKey) []recordKey {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b recordKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.externalID, b.externalID))
	})
	return slices.Compact(keys)
}

// batchKeys lists the records the valid lines of a bulk batch write.
func batchKeys(batch []pending) []recordKey {
	var keys []recordKey
	for _, p := range batch {
		if p.parsed != nil {
			keys = append(keys, recordKey{p.result.Kind, p.result.ExternalID})
		}
	}
	return keys
}

// recordKey names one agency record within an agency.
type recordKey struct {
	kind       Kind
	externalID string
}

// contentionRetries bounds how often a transaction PostgreSQL aborted as a deadlock or a
// serialization failure is run again before the error is answered.
const contentionRetries = 4

// inTx runs fn in a transaction, again when PostgreSQL aborted it for colliding with another
// (store.Contended): writes that touch shared rows (a person, a facility) in different orders can
// deadlock, and the loser has written nothing. fn must be safe to run again.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return inTxOn(ctx, s.db, fn)
}

// txRunner begins transactions: the pool (*store.DB), or one connection of it (bun.Conn).
type txRunner interface {
	RunInTx(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context, tx bun.Tx) error) error
}

// inTxOn is inTx on db.
func inTxOn(ctx context.Context, db txRunner, fn func(ctx context.Context, tx bun.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.RunInTx(ctx, nil, fn)
		if err == nil || attempt == contentionRetries || !store.Contended(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
}
