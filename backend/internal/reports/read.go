package reports

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// View is a report as its reporter and followers see it. Photos carry short-lived signed links.
type View struct {
	ID           string         `json:"id"`
	Service      string         `json:"service"`
	ServiceName  string         `json:"serviceName"`
	Description  string         `json:"description"`
	Lat          *float64       `json:"lat"`
	Lon          *float64       `json:"lon"`
	Address      string         `json:"address"`
	Answers      map[string]any `json:"answers"`
	Status       string         `json:"status"`
	StatusReason string         `json:"statusReason,omitempty"`
	DuplicateOf  *string        `json:"duplicateOf"`
	CreatedAt    time.Time      `json:"createdAt"`
	UpdatedAt    time.Time      `json:"updatedAt"`
	Reporter     bool           `json:"reporter"`  // the reader wrote it
	Following    bool           `json:"following"` // the reader follows it
	Photos       []PhotoLink    `json:"photos"`
	History      []HistoryStep  `json:"history,omitempty"` // one report's page only, not the lists
}

// Viewer is who reads a report: a logged-in person, and/or the holder of an anonymous report's token.
type Viewer struct {
	CitizenID string
	Token     string
}

// Get is one report for its reporter, a follower, or the holder of its follow-up token; for
// anyone else it does not exist.
func (s *Service) Get(ctx context.Context, v Viewer, id, lang string) (*View, error) {
	r, err := loadReport(ctx, s.d.DB, id)
	if err != nil {
		return nil, err
	}
	reporter := v.CitizenID != "" && r.CitizenID != nil && *r.CitizenID == v.CitizenID
	byToken := v.Token != "" && r.FollowTokenHash != nil &&
		subtle.ConstantTimeCompare([]byte(hashToken(v.Token)), []byte(*r.FollowTokenHash)) == 1
	following := false
	if v.CitizenID != "" && !reporter {
		if following, err = isFollower(ctx, s.d.DB, id, v.CitizenID); err != nil {
			return nil, err
		}
	}
	if !reporter && !byToken && !following {
		return nil, apperr.NotFound()
	}
	views, err := s.views(ctx, s.d.DB, []*Report{r}, lang)
	if err != nil {
		return nil, err
	}
	out := views[0]
	out.Reporter, out.Following = reporter || byToken, following
	if out.History, err = history(ctx, s.d.DB, r.ID, lang); err != nil {
		return nil, err
	}
	return &out, nil
}

// ViewTx presents one report just written in tx (the answer to its creation).
func (s *Service) ViewTx(ctx context.Context, tx bun.IDB, r *Report, lang string) (*View, error) {
	views, err := s.views(ctx, tx, []*Report{r}, lang)
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// Mine lists the reports the person wrote or follows, newest first (at most 200).
func (s *Service) Mine(ctx context.Context, citizenID, lang string) ([]View, error) {
	var rows []*Report
	err := s.d.DB.NewSelect().Model(&rows).Relation("Photos", photosInOrder).
		Where("r.citizen_id = ? OR r.id IN (SELECT report_id FROM report_followers WHERE citizen_id = ?)", citizenID, citizenID).
		OrderExpr("r.id DESC").Limit(200).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: mine: %w", err)
	}
	out, err := s.views(ctx, s.d.DB, rows, lang)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		out[i].Reporter = r.CitizenID != nil && *r.CitizenID == citizenID
		out[i].Following = !out[i].Reporter
	}
	return out, nil
}

// Follow subscribes the person to an existing open or closed report's updates (FixMyStreet's
// "already reported: follow this one instead"). Following twice, or one's own report, changes
// nothing.
func (s *Service) Follow(ctx context.Context, tx bun.IDB, citizenID, id, lang string) (*View, error) {
	r, err := loadReport(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	now := store.UTC(s.d.Now())
	if r.CitizenID == nil || *r.CitizenID != citizenID {
		f := &Follower{ReportID: r.ID, CitizenID: citizenID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(f).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return nil, fmt.Errorf("reports: follow: %w", err)
		}
	}
	views, err := s.views(ctx, tx, []*Report{r}, lang)
	if err != nil {
		return nil, err
	}
	out := views[0]
	out.Reporter = r.CitizenID != nil && *r.CitizenID == citizenID
	out.Following = !out.Reporter
	return &out, nil
}

func loadReport(ctx context.Context, db bun.IDB, id string) (*Report, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFound()
	}
	r := new(Report)
	err := db.NewSelect().Model(r).Relation("Photos", photosInOrder).Where("r.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("reports: load: %w", err)
	}
	return r, nil
}

func isFollower(ctx context.Context, db bun.IDB, reportID, citizenID string) (bool, error) {
	ok, err := db.NewSelect().Model((*Follower)(nil)).Where("report_id = ? AND citizen_id = ?", reportID, citizenID).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("reports: follower: %w", err)
	}
	return ok, nil
}

// views presents reports in lang: the service's code and name and the agency's reason, loaded
// for all of them at once.
func (s *Service) views(ctx context.Context, db bun.IDB, rows []*Report, lang string) ([]View, error) {
	serviceIDs, reportIDs := make([]string, 0, len(rows)), make([]string, 0, len(rows))
	for _, r := range rows {
		serviceIDs = append(serviceIDs, r.ServiceID)
		reportIDs = append(reportIDs, r.ID)
	}
	codes, err := serviceCodes(ctx, db, serviceIDs)
	if err != nil {
		return nil, err
	}
	names, err := texts.Load(ctx, db, TextOwnerService, serviceIDs)
	if err != nil {
		return nil, err
	}
	reasons, err := texts.Load(ctx, db, textOwnerReport, reportIDs)
	if err != nil {
		return nil, err
	}
	now := store.UTC(s.d.Now())
	out := make([]View, 0, len(rows))
	for _, r := range rows {
		name, _ := i18n.Pick(names[r.ServiceID]["name"], lang)
		reason, _ := i18n.Pick(reasons[r.ID]["statusReason"], lang)
		v := View{ID: r.ID, Service: codes[r.ServiceID], ServiceName: name, Description: r.Description, Address: r.Address,
			Answers: r.Answers, Status: r.Status, StatusReason: reason, DuplicateOf: r.DuplicateOf, CreatedAt: r.CreatedAt,
			UpdatedAt: r.UpdatedAt, Photos: s.photoLinks(r.Photos, now)}
		v.Lat, v.Lon = degrees(r.LatMicro), degrees(r.LonMicro)
		if v.Answers == nil {
			v.Answers = map[string]any{}
		}
		out = append(out, v)
	}
	return out, nil
}

// PhotoByLink opens a photo named by a signed link (the webhook's, or a reporter's view): no
// session, no key, the signature and expiry are the credential.
func (s *Service) PhotoByLink(ctx context.Context, id, expires, sig string) (*Photo, error) {
	if !s.d.Links.Check(id, expires, sig, s.d.Now()) {
		return nil, apperr.Forbidden()
	}
	p := new(Photo)
	err := s.d.DB.NewSelect().Model(p).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("reports: photo: %w", err)
	}
	return p, nil
}

// OpenPhoto reads a photo's bytes from the files store.
func (s *Service) OpenPhoto(ctx context.Context, p *Photo) (io.ReadCloser, error) {
	return s.d.Files.Open(ctx, p.StorageKey)
}

func photosInOrder(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("position") }
