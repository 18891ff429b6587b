package notify

import (
	"context"
	"slices"

	"github.com/uptrace/bun"
)

// reportRow is what a push about a report's new status needs (package reports owns the table):
// whom it may tell (the reporter and the followers) and which status it reached.
type reportRow struct {
	bun.BaseModel `bun:"table:reports,alias:r"`

	ID        string  `bun:"id,pk"`
	AgencyID  string  `bun:"agency_id"`
	CitizenID *string `bun:"citizen_id"`
	Status    string  `bun:"status"`

	followers []string
}

// tells reports whether citizenID wrote or follows the report.
func (r *reportRow) tells(citizenID string) bool {
	return (r.CitizenID != nil && *r.CitizenID == citizenID) || slices.Contains(r.followers, citizenID)
}

// aboutReport is the push of a status change: the lock screen names the agency and whether the
// problem is fixed, nothing of what was reported.
func aboutReport(r *reportRow) about {
	title := "push.report.status_changed"
	if r.Status == "fixed" {
		title = "push.report.fixed"
	}
	return about{category: CategoryReports, payloadKind: "report", titleKey: title, agencyID: r.AgencyID,
		link: "/reports/" + r.ID, ttl: TTLUpdate}
}

// loadReports reads the reports of events and their followers, two queries.
func loadReports(ctx context.Context, db bun.IDB, ids []string) (map[string]*reportRow, error) {
	out := map[string]*reportRow{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []reportRow
	if err := db.NewSelect().Model(&rows).Column("id", "agency_id", "citizen_id", "status").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	var followers []struct {
		ReportID  string `bun:"report_id"`
		CitizenID string `bun:"citizen_id"`
	}
	if err := db.NewSelect().Table("report_followers").Column("report_id", "citizen_id").
		Where("report_id IN (?)", bun.In(ids)).Scan(ctx, &followers); err != nil {
		return nil, err
	}
	for _, f := range followers {
		if r := out[f.ReportID]; r != nil {
			r.followers = append(r.followers, f.CitizenID)
		}
	}
	return out, nil
}
