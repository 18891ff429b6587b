package errands

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"minside/backend/internal/changes"
	"minside/backend/internal/webhook"
)

// attached is one case of an errand as Refresh needs it.
type attached struct {
	AgencyID   string `bun:"agency_id" json:"agency_id"`
	ExternalID string `bun:"external_id" json:"external_id"`
	Status     string `bun:"status" json:"status"`
}

// Refresh recomputes the merged status of errand id in tx, after a write to the errand or to one
// of its cases (which must be written already). The errand row is locked first (PostgreSQL), so
// two agencies writing cases of one errand at once decide one after the other and each status
// change is seen, and announced, exactly once. It always records an errand change for the
// citizen's offline copy; when the status changed it writes errand.updated for every participating
// agency: the lead and each agency with a case attached. A missing errand is no error (deleted).
func Refresh(ctx context.Context, tx bun.IDB, id string, now time.Time) error {
	e := new(Errand)
	q := tx.NewSelect().Model(e).Where("id = ?", id)
	if tx.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("errands: refresh: %w", err)
	}
	var cs []attached
	if err := tx.NewSelect().Table("cases").Column("agency_id", "external_id", "status").
		Where("errand_id = ?", id).OrderExpr("agency_id, external_id").Scan(ctx, &cs); err != nil {
		return fmt.Errorf("errands: refresh cases: %w", err)
	}
	statuses := make([]string, len(cs))
	for i, c := range cs {
		statuses[i] = c.Status
	}
	previous := e.Status
	e.Status, e.UpdatedAt = Merged(statuses), now
	if _, err := tx.NewUpdate().Model(e).Column("status", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("errands: refresh: %w", err)
	}
	if err := changes.Record(ctx, tx, &e.CitizenID, "errand", e.ID, changes.OpUpsert, now); err != nil {
		return err
	}
	if previous == e.Status {
		return nil
	}
	var lead string
	if err := tx.NewSelect().Table("agencies").Column("slug").Where("id = ?", e.AgencyID).Scan(ctx, &lead); err != nil {
		return fmt.Errorf("errands: refresh lead: %w", err)
	}
	for _, agencyID := range participating(e.AgencyID, cs) {
		own := []string{}
		for _, c := range cs {
			if c.AgencyID == agencyID {
				own = append(own, c.ExternalID)
			}
		}
		data := webhook.ErrandUpdated{Errand: e.ExternalID, Lead: lead, Status: e.Status, PreviousStatus: previous, Cases: own, At: now}
		if err := webhook.Enqueue(ctx, tx, agencyID, webhook.EventErrandUpdated, data, now); err != nil {
			return err
		}
	}
	return nil
}

// participating lists the lead and every agency with a case attached, each once, lead first.
func participating(lead string, cs []attached) []string {
	out := []string{lead}
	for _, c := range cs {
		if !slices.Contains(out, c.AgencyID) {
			out = append(out, c.AgencyID)
		}
	}
	return out
}
