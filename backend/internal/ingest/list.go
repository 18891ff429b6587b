package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/paging"
	"minside/backend/internal/store"
)

// ListQuery selects an agency's records of one kind, so it can reconcile what the portal holds
// with its own system: everything changed since a time, or under a prefix of its external ids.
type ListQuery struct {
	UpdatedSince     string // RFC 3339; "" for all
	ExternalIDPrefix string // "" for all
	After            string // the position of the previous page's last record ("" for the first page)
	Limit            int    // 0: paging.DefaultLimit
}

// Listed is one record of a list: the GET body, with its external id and last change.
type Listed struct {
	Stored
	UpdatedAt time.Time
}

// Page is one page of a list; Next is the position after it ("" on the last page).
type Page struct {
	Records []Listed
	Next    string
}

// List pages through the agency's own records of kind, oldest change first (update time, then
// external id: a stable order, so a record changed while paging shows up again at the end rather
// than being skipped). Reading citizens' records is audited as GET is, one entry per record.
func (s *Service) List(ctx context.Context, req Request, kind Kind, q ListQuery) (Page, error) {
	if s.specOf(kind) == nil {
		return Page{}, apperr.NotFound()
	}
	var fields apperr.Fields
	var since *time.Time
	if q.UpdatedSince != "" {
		t, err := time.Parse(time.RFC3339, q.UpdatedSince)
		if err != nil {
			fields.Add("/updatedSince", "field.invalid_time", nil)
		}
		t = store.UTC(t)
		since = &t
	}
	if q.ExternalIDPrefix != "" && !validExternalID.MatchString(q.ExternalIDPrefix) {
		fields.Add("/externalIdPrefix", "field.invalid", nil)
	}
	afterAt, afterID, ok := parsePosition(q.After)
	if !ok {
		fields.Add("/cursor", "field.invalid", nil)
	}
	if err := fields.Err(); err != nil {
		return Page{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var rows []record
	var page Page
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sel := tx.NewSelect().Model(&rows).
			Where("agency_id = ? AND kind = ? AND version > ?", req.AgencyID, string(kind), claimVersion).
			OrderExpr("updated_at, external_id").Limit(int64(limit + 1))
		if since != nil {
			sel = sel.Where("updated_at >= ?", *since)
		}
		if p := q.ExternalIDPrefix; p != "" {
			sel = sel.Where("substr(external_id, 1, ?) = ?", len(p), p)
		}
		if afterID != "" {
			sel = sel.Where("(updated_at > ? OR (updated_at = ? AND external_id > ?))", afterAt, afterAt, afterID)
		}
		if err := sel.Scan(ctx); err != nil {
			return fmt.Errorf("ingest: list %s: %w", kind, err)
		}
		if len(rows) > limit {
			rows = rows[:limit]
			last := rows[limit-1]
			page.Next = position(last.UpdatedAt, last.ExternalID)
		}
		for i := range rows {
			r := &rows[i]
			page.Records = append(page.Records, Listed{Stored: *r.stored(), UpdatedAt: r.UpdatedAt})
			if r.CitizenID == nil {
				continue
			}
			w := &writer{tx: tx, s: s, req: req, kind: kind, externalID: r.ExternalID, now: store.UTC(s.now())}
			if err := w.audit(ctx, "read", r.CitizenID, r.ObjectID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	return page, nil
}

// position is where a page ends: the last record's update time and external id (external ids
// never contain "|").
func position(at time.Time, externalID string) string {
	return at.UTC().Format(time.RFC3339Nano) + "|" + externalID
}

func parsePosition(p string) (time.Time, string, bool) {
	if p == "" {
		return time.Time{}, "", true
	}
	at, id, ok := strings.Cut(p, "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || !validExternalID.MatchString(id) {
		return time.Time{}, "", false
	}
	return store.UTC(t), id, true
}
