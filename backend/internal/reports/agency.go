package reports

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/i18n"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/texts"
)

// AgencyView is a report as its agency sees it: everything reported, never who reported it.
type AgencyView struct {
	ID           string            `json:"id"`
	Service      string            `json:"service"`
	Channel      string            `json:"channel"`
	Description  string            `json:"description"`
	Lat          *float64          `json:"lat"`
	Lon          *float64          `json:"lon"`
	Address      string            `json:"address"`
	Answers      map[string]any    `json:"answers"`
	MediaURL     string            `json:"mediaUrl,omitempty"`
	Status       string            `json:"status"`
	StatusReason map[string]string `json:"statusReason"`
	DuplicateOf  *string           `json:"duplicateOf"`
	Followers    int               `json:"followers"`
	CreatedAt    time.Time         `json:"createdAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	Photos       []PhotoLink       `json:"photos"`
}

// AgencyPage is one page of an agency's reports; Next is the position after it ("" at the end).
type AgencyPage struct {
	Reports []AgencyView
	Next    string
}

// AgencyRequest says which agency asks, for the audit log.
type AgencyRequest struct {
	AgencyID  string
	RequestID string
}

// AgencyList pages through the reports of the agency's own services, oldest first (ids are
// time-ordered). after is the previous page's last id. Reading a person's report is audited.
func (s *Service) AgencyList(ctx context.Context, req AgencyRequest, after string, limit int) (AgencyPage, error) {
	if after != "" && uuid.Validate(after) != nil {
		return AgencyPage{}, apperr.Invalid(apperr.Field("/cursor", "field.invalid", nil))
	}
	var page AgencyPage
	err := s.d.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var rows []*Report
		q := tx.NewSelect().Model(&rows).Relation("Photos", photosInOrder).Where("r.agency_id = ?", req.AgencyID).OrderExpr("r.id").Limit(int64(limit + 1))
		if after != "" {
			q = q.Where("r.id > ?", after)
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("reports: agency list: %w", err)
		}
		if len(rows) > limit {
			rows = rows[:limit]
			page.Next = rows[limit-1].ID
		}
		var err error
		if page.Reports, err = s.agencyViews(ctx, tx, rows); err != nil {
			return err
		}
		return s.auditReads(ctx, tx, req, rows)
	})
	return page, err
}

func (s *Service) auditReads(ctx context.Context, tx bun.IDB, req AgencyRequest, rows []*Report) error {
	now := store.UTC(s.d.Now())
	for _, r := range rows {
		if r.CitizenID == nil {
			continue
		}
		agencyID := req.AgencyID
		if err := audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: audit.ActorAgency, ActorID: &agencyID, SubjectID: r.CitizenID,
			Action: audit.ActionRead, ObjectKind: "report", ObjectID: r.ID, RequestID: req.RequestID}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) agencyViews(ctx context.Context, db bun.IDB, rows []*Report) ([]AgencyView, error) {
	serviceIDs, reportIDs := make([]string, 0, len(rows)), make([]string, 0, len(rows))
	for _, r := range rows {
		serviceIDs, reportIDs = append(serviceIDs, r.ServiceID), append(reportIDs, r.ID)
	}
	codes, err := serviceCodes(ctx, db, serviceIDs)
	if err != nil {
		return nil, err
	}
	reasons, err := texts.Load(ctx, db, textOwnerReport, reportIDs)
	if err != nil {
		return nil, err
	}
	followers := map[string]int{}
	if len(reportIDs) > 0 {
		var counts []struct {
			ReportID string `bun:"report_id"`
			N        int    `bun:"n"`
		}
		if err := db.NewSelect().Table("report_followers").ColumnExpr("report_id, count(*) AS n").
			Where("report_id IN (?)", bun.In(reportIDs)).Group("report_id").Scan(ctx, &counts); err != nil {
			return nil, fmt.Errorf("reports: followers: %w", err)
		}
		for _, c := range counts {
			followers[c.ReportID] = c.N
		}
	}
	now := store.UTC(s.d.Now())
	out := make([]AgencyView, 0, len(rows))
	for _, r := range rows {
		v := AgencyView{ID: r.ID, Service: codes[r.ServiceID], Channel: r.Channel, Description: r.Description, Address: r.Address,
			Answers: r.Answers, MediaURL: r.MediaURL, Status: r.Status, StatusReason: reasons[r.ID]["statusReason"],
			DuplicateOf: r.DuplicateOf, Followers: followers[r.ID], CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
			Photos: s.photoLinks(r.Photos, now)}
		v.Lat, v.Lon = degrees(r.LatMicro), degrees(r.LonMicro)
		if v.StatusReason == nil {
			v.StatusReason = map[string]string{}
		}
		if v.Answers == nil {
			v.Answers = map[string]any{}
		}
		out = append(out, v)
	}
	return out, nil
}

// StatusChange is an agency's new status of a report. Closed needs a reason; duplicate names
// the report it duplicates (one of the same agency's).
type StatusChange struct {
	Status      string            `json:"status"`
	Reason      map[string]string `json:"reason,omitempty"`
	DuplicateOf string            `json:"duplicateOf,omitempty"`
}

// SetStatus sets the status of one of the agency's reports; another agency's report does not
// exist for it. The same change again changes nothing (idempotent) and tells no one. A change
// reaches the reporter and every follower in Min side (the changes feed) and by push (the
// "reports" category), through the outbox in the same transaction.
func (s *Service) SetStatus(ctx context.Context, req AgencyRequest, id string, ch StatusChange) (view *AgencyView, changed bool, err error) {
	var errs apperr.Fields
	if !slices.Contains(AgencyStatuses, ch.Status) {
		errs.Add("/status", "field.invalid_enum", map[string]any{"Allowed": strings.Join(AgencyStatuses, ", ")})
	}
	checkReason(&errs, ch.Reason, ch.Status == StatusClosed)
	switch {
	case ch.Status == StatusDuplicate && ch.DuplicateOf == "":
		errs.Add("/duplicateOf", "field.required", nil)
	case ch.Status != StatusDuplicate && ch.DuplicateOf != "":
		errs.Add("/duplicateOf", "field.unknown", nil)
	case ch.DuplicateOf != "" && (uuid.Validate(ch.DuplicateOf) != nil || ch.DuplicateOf == id):
		errs.Add("/duplicateOf", "field.unknown_reference", nil)
	}
	if err := errs.Err(); err != nil {
		return nil, false, err
	}
	err = s.d.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := loadReport(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.AgencyID != req.AgencyID {
			return apperr.NotFound()
		}
		if ch.DuplicateOf != "" {
			ok, err := tx.NewSelect().Model((*Report)(nil)).Where("id = ? AND agency_id = ?", ch.DuplicateOf, req.AgencyID).Exists(ctx)
			if err != nil {
				return fmt.Errorf("reports: duplicate of: %w", err)
			}
			if !ok {
				return apperr.Invalid(apperr.Field("/duplicateOf", "field.unknown_reference", nil))
			}
		}
		old, err := texts.Load(ctx, tx, textOwnerReport, []string{r.ID})
		if err != nil {
			return err
		}
		sameDup := (r.DuplicateOf == nil && ch.DuplicateOf == "") || (r.DuplicateOf != nil && *r.DuplicateOf == ch.DuplicateOf)
		if r.Status == ch.Status && sameDup && maps.Equal(old[r.ID]["statusReason"], texts.Values(ch.Reason)) {
			views, err := s.agencyViews(ctx, tx, []*Report{r})
			if err == nil {
				view = &views[0]
			}
			return err
		}
		changed = true
		if err := s.applyStatus(ctx, tx, r, ch); err != nil {
			return err
		}
		views, err := s.agencyViews(ctx, tx, []*Report{r})
		if err != nil {
			return err
		}
		view = &views[0]
		return nil
	})
	return view, changed, err
}

func (s *Service) applyStatus(ctx context.Context, tx bun.Tx, r *Report, ch StatusChange) error {
	now := store.UTC(s.d.Now())
	r.Status, r.UpdatedAt, r.DuplicateOf, r.ClosedAt = ch.Status, now, nil, nil
	if ch.DuplicateOf != "" {
		d := ch.DuplicateOf
		r.DuplicateOf = &d
	}
	if !IsOpen(ch.Status) {
		r.ClosedAt = &now
	}
	if _, err := tx.NewUpdate().Model(r).Column("status", "updated_at", "duplicate_of", "closed_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("reports: set status: %w", err)
	}
	if err := texts.Save(ctx, tx, textOwnerReport, r.ID, texts.Fields{"statusReason": ch.Reason}); err != nil {
		return err
	}
	if err := recordStep(ctx, tx, r, ch.Reason); err != nil {
		return err
	}
	var recipients []string
	if r.CitizenID != nil {
		recipients = append(recipients, *r.CitizenID)
	}
	var followers []Follower
	if err := tx.NewSelect().Model(&followers).Where("report_id = ?", r.ID).Order("citizen_id").Scan(ctx); err != nil {
		return fmt.Errorf("reports: followers: %w", err)
	}
	for _, f := range followers {
		recipients = append(recipients, f.CitizenID)
	}
	for _, c := range recipients {
		ev := outbox.NotifyEvent{CitizenID: c, Kind: "report", ObjectID: r.ID, Reason: ch.Status}
		if _, err := outbox.Enqueue(ctx, tx, outbox.TopicNotify, ev, now, outbox.Options{}); err != nil {
			return err
		}
		citizen := c
		if err := changes.Record(ctx, tx, &citizen, "report", r.ID, changes.OpUpsert, now); err != nil {
			return err
		}
	}
	return nil
}

// checkReason checks a lang → text reason: supported languages, one line each.
func checkReason(errs *apperr.Fields, reason map[string]string, required bool) {
	if len(reason) == 0 {
		if required {
			errs.Add("/reason", "field.required", nil)
		}
		return
	}
	for _, lang := range slices.Sorted(maps.Keys(reason)) {
		ptr := "/reason/" + lang
		if !slices.ContainsFunc(i18n.Languages(), func(l i18n.Language) bool { return l.Code == lang }) {
			errs.Add(ptr, "field.invalid_language", nil)
			continue
		}
		v, problem := textcheck.Check(reason[lang], textcheck.Line.Limit(500).Need(true))
		if problem != nil {
			errs.Add(ptr, problem.Key, problem.Data)
			continue
		}
		reason[lang] = v
	}
}
