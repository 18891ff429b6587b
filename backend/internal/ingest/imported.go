package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
)

// Imported is a record whose portal object reached the database by another path than this API
// (the demo seed writes its rows directly), registered so that its agency reads, updates,
// deletes and lists it exactly like one it had PUT.
type Imported struct {
	AgencyID   string
	Kind       Kind
	ExternalID string
	ObjectID   string  // the portal object the caller wrote
	CitizenID  *string // the person it is about (the subject for relations); nil for tiles
	// Record is what the agency would PUT: a CaseRecord, BookingRecord, KeyRecord,
	// NotificationRecord, RelationRecord, TileRecord or RuleRecord, with its national identity
	// numbers in clear.
	Record any
	At     time.Time
	// Rules is the fact model a RuleRecord is checked against (a rule is registered only if it
	// compiles, as a PUT would be refused); unused by the other kinds.
	Rules *suggest.Env
}

// importChunk records per INSERT: bodies are a few kilobytes each.
const importChunk = 500

// Register checks every record exactly as PUT does (test-register numbers allowed: imported
// records are demo data) and stores the agency_records row, with the GET body, that a PUT would
// have stored. It writes no portal objects: the caller has written them. Any invalid record
// fails the whole call, naming it, and writes nothing.
func Register(ctx context.Context, db bun.IDB, all []Imported) error {
	rows, err := Rows(all)
	if err != nil {
		return err
	}
	for start := 0; start < len(rows); start += importChunk {
		part := rows[start:min(start+importChunk, len(rows))]
		if _, err := db.NewInsert().Model(&part).Returning("NULL").Exec(ctx); err != nil {
			return fmt.Errorf("ingest: register imported records: %w", err)
		}
	}
	return nil
}

// Row is the agency_records row of one record (a Bun model).
type Row = record

// Rows checks every record as Register does and returns the rows Register would insert, for a
// caller that writes them by other means (the seed COPYs them on PostgreSQL).
func Rows(all []Imported) ([]Row, error) {
	rows := make([]Row, 0, len(all))
	for _, im := range all {
		row, err := importedRow(im)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func importedRow(im Imported) (record, error) {
	spec := specOf(im.Kind)
	if im.Kind == KindRules && im.Rules != nil {
		spec = ruleSpec{env: im.Rules}
	}
	if spec == nil {
		return record{}, fmt.Errorf("ingest: register %s/%s: unknown kind", im.Kind, im.ExternalID)
	}
	raw, err := json.Marshal(im.Record)
	if err != nil {
		return record{}, fmt.Errorf("ingest: register %s/%s: %w", im.Kind, im.ExternalID, err)
	}
	c := &checker{}
	checkExternalID(c, "/externalId", im.ExternalID)
	p, err := spec.parse(raw, "", pid.Options{AllowSynthetic: true})
	if err == nil {
		err = c.err()
	}
	if err != nil {
		if ae, ok := apperr.As(err); ok {
			return record{}, fmt.Errorf("ingest: register %s/%s: not a valid record: %v", im.Kind, im.ExternalID, ae.Fields)
		}
		return record{}, fmt.Errorf("ingest: register %s/%s: %w", im.Kind, im.ExternalID, err)
	}
	rec, masked := p.(recordBody).bodyParts()
	body, err := stripPIDs(rec, im.ObjectID, masked)
	if err != nil {
		return record{}, fmt.Errorf("ingest: register %s/%s: %w", im.Kind, im.ExternalID, err)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return record{}, fmt.Errorf("ingest: register %s/%s: %w", im.Kind, im.ExternalID, err)
	}
	at := store.UTC(im.At)
	return record{AgencyID: im.AgencyID, Kind: string(im.Kind), ExternalID: im.ExternalID, ObjectID: im.ObjectID,
		CitizenID: im.CitizenID, Version: p.version(), Body: b, CreatedAt: at, UpdatedAt: at}, nil
}

// recordBody is what a parsed record answers GET with before its numbers are masked: the record
// as sent, and each identity-number field with its masked form (the same apply uses).
type recordBody interface {
	bodyParts() (any, map[string]string)
}

func (p *parsedCase) bodyParts() (any, map[string]string) {
	r := p.rec
	r.Events = mergeEvents(nil, r.Events) // the timeline in order, as apply answers it
	return r, map[string]string{"pid": p.number.String()}
}

func (p *parsedErrand) bodyParts() (any, map[string]string) {
	return p.rec, map[string]string{"pid": p.number.String()}
}

func (p *parsedBooking) bodyParts() (any, map[string]string) {
	return p.rec, map[string]string{"pid": p.number.String()}
}

func (p *parsedKey) bodyParts() (any, map[string]string) {
	return p.rec, map[string]string{"pid": p.number.String()}
}

func (p *parsedNotification) bodyParts() (any, map[string]string) {
	return p.rec, map[string]string{"pid": p.number.String()}
}

func (p *parsedRelation) bodyParts() (any, map[string]string) {
	return p.rec, map[string]string{"representativePid": p.representative.String(), "subjectPid": p.subject.String()}
}

func (p *parsedTile) bodyParts() (any, map[string]string) { return p.rec, nil }
