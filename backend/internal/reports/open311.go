package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
	"minside/backend/internal/texts"
)

// These are the domain's answers to an Open311 GeoReport v2 layer: services with their
// questions, reports from other channels, and public views of reports. Every public view is
// without personal data.

// KeyResolver finds the agency of an API key (agency.Service implements it).
type KeyResolver interface {
	Authenticate(ctx context.Context, key string) (agency.Caller, error)
}

// CreateFromChannel stores a report sent by another system with an agency's API key (Open311's
// POST requests.json with api_key): only to one of that agency's own services. The key is checked
// before anything else and is never written; another agency's service is Forbidden, like a bad
// key, and writes nothing. The report and its report.created webhook are one transaction. The
// media URL is kept as a link and never fetched. It returns the new report's id.
func (s *Service) CreateFromChannel(ctx context.Context, keys KeyResolver, apiKey string, in NewReport) (string, error) {
	caller, err := keys.Authenticate(ctx, apiKey)
	if err != nil {
		return "", err
	}
	in.Photos = nil
	var created *Created
	err = s.d.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		svc, err := loadService(ctx, tx, in.Service)
		if err != nil {
			return err
		}
		if svc != nil && svc.AgencyID != caller.AgencyID {
			return apperr.Forbidden()
		}
		created, err = s.CreateTx(ctx, tx, Reporter{Channel: ChannelOpen311, AgencyID: caller.AgencyID}, in)
		return err
	})
	if err != nil {
		return "", err
	}
	return created.Report.ID, nil
}

// PublicReport is a report as anyone may see it (Open311's service request): what, where, which
// status and when, never who.
type PublicReport struct {
	ID           string    `json:"id"`
	Service      string    `json:"service"`
	ServiceName  string    `json:"serviceName"`
	Agency       string    `json:"agency"`
	Status       string    `json:"status"`
	Open         bool      `json:"open"`
	StatusReason string    `json:"statusReason,omitempty"`
	DuplicateOf  *string   `json:"duplicateOf,omitempty"` // the public id of the report this one repeats
	Description  string    `json:"description"`
	Address      string    `json:"address,omitempty"`
	Lat          *float64  `json:"lat"`
	Lon          *float64  `json:"lon"`
	MediaURL     string    `json:"mediaUrl,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// Query selects reports for the public: by ids, or by service codes, creation window and
// open/closed (Open311's requests.json). Zero values select everything; the newest come first.
type Query struct {
	IDs      []string
	Services []string // codes; empty: every service
	Start    *time.Time
	End      *time.Time
	Open     *bool // true: open only, false: closed only
	Limit    int   // 0 or more than 1000: 1000
}

// PublicReports answers a Query in lang.
func (s *Service) PublicReports(ctx context.Context, q Query, lang string) ([]PublicReport, error) {
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var rows []*Report
	sel := s.d.DB.NewSelect().Model(&rows).OrderExpr("r.created_at DESC, r.id DESC").Limit(int64(limit))
	if len(q.IDs) > 0 {
		ids := make([]string, 0, len(q.IDs))
		for _, id := range q.IDs {
			if uuid.Validate(id) == nil {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return []PublicReport{}, nil
		}
		sel = sel.Where("r.id IN (?)", bun.In(ids))
	}
	if len(q.Services) > 0 {
		sel = sel.Where("r.service_id IN (SELECT id FROM report_services WHERE code IN (?))", bun.In(q.Services))
	}
	if q.Start != nil {
		sel = sel.Where("r.created_at >= ?", q.Start.UTC())
	}
	if q.End != nil {
		sel = sel.Where("r.created_at <= ?", q.End.UTC())
	}
	if q.Open != nil && *q.Open {
		sel = sel.Where("r.closed_at IS NULL")
	} else if q.Open != nil {
		sel = sel.Where("r.closed_at IS NOT NULL")
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("reports: public reports: %w", err)
	}
	return s.publicViews(ctx, s.d.DB, rows, lang)
}

// PublicReport is one report as anyone may see it.
func (s *Service) PublicReport(ctx context.Context, id, lang string) (*PublicReport, error) {
	r, err := loadReport(ctx, s.d.DB, id)
	if err != nil {
		return nil, err
	}
	out, err := s.publicViews(ctx, s.d.DB, []*Report{r}, lang)
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

func (s *Service) publicViews(ctx context.Context, db bun.IDB, rows []*Report, lang string) ([]PublicReport, error) {
	serviceIDs, reportIDs := make([]string, 0, len(rows)), make([]string, 0, len(rows))
	for _, r := range rows {
		serviceIDs, reportIDs = append(serviceIDs, r.ServiceID), append(reportIDs, r.ID)
	}
	var svcs []serviceRow
	if len(serviceIDs) > 0 {
		if err := db.NewSelect().Model(&svcs).ColumnExpr("rs.id, rs.code").ColumnExpr("a.name AS agency_name").
			Join("JOIN agencies AS a ON a.id = rs.agency_id").Where("rs.id IN (?)", bun.In(serviceIDs)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("reports: public services: %w", err)
		}
	}
	byID := map[string]serviceRow{}
	for _, sv := range svcs {
		byID[sv.ID] = sv
	}
	names, err := texts.Load(ctx, db, TextOwnerService, serviceIDs)
	if err != nil {
		return nil, err
	}
	reasons, err := texts.Load(ctx, db, textOwnerReport, reportIDs)
	if err != nil {
		return nil, err
	}
	out := make([]PublicReport, 0, len(rows))
	for _, r := range rows {
		name, _ := i18n.Pick(names[r.ServiceID]["name"], lang)
		reason, _ := i18n.Pick(reasons[r.ID]["statusReason"], lang)
		sv := byID[r.ServiceID]
		p := PublicReport{ID: r.ID, Service: sv.Code, ServiceName: name, Agency: sv.Agency, Status: r.Status, Open: IsOpen(r.Status),
			StatusReason: reason, DuplicateOf: r.DuplicateOf, Description: r.Description, Address: r.Address, MediaURL: r.MediaURL,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		p.Lat, p.Lon = degrees(r.LatMicro), degrees(r.LonMicro)
		out = append(out, p)
	}
	return out, nil
}
