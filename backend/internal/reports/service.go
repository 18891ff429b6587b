package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/files"
	"minside/backend/internal/i18n"
	"minside/backend/internal/messages"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
	"minside/backend/internal/uploads"
)

// TextOwnerService is the owner kind of a service's texts ("name", "description").
const TextOwnerService = "report_service"

// textOwnerReport is the owner kind of a report's texts: the agency's "statusReason".
const textOwnerReport = "report"

// PhotoLinkPath is where the signed links of report photos are served; the photo id follows.
const PhotoLinkPath = "/files/v1/report-photos/"

// Deps are what the service needs; New fills the zero values with defaults.
type Deps struct {
	DB    *store.DB
	Files files.Store
	// Links signs the short-lived photo links (derived from the attachment links' key).
	Links *messages.Links
	// BaseURL is the portal's public origin, for the anonymous reporter's follow-up link.
	BaseURL string
	Now     func() time.Time
	// AnonymousLimit reports may be sent without login per client address and AnonymousWindow.
	AnonymousLimit  int
	AnonymousWindow time.Duration
}

// Service reads and writes services and reports.
type Service struct {
	d      Deps
	limits uploads.Limits
}

// PhotoLimits bound a report's photos: three, images only, kept at most 1600 pixels on the long
// side (sharp on any phone, a few hundred kilobytes).
func PhotoLimits() uploads.Limits {
	return uploads.Limits{MaxFileBytes: 8 << 20, MaxFiles: 3, MaxPixels: 50_000_000, MaxSide: 1600, ImagesOnly: true}
}

// New builds the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.AnonymousLimit <= 0 {
		d.AnonymousLimit = 10
	}
	if d.AnonymousWindow <= 0 {
		d.AnonymousWindow = time.Hour
	}
	d.Links = d.Links.For(PhotoLinkPath, "minside report photo links v1")
	return &Service{d: d, limits: PhotoLimits()}
}

// Limits are the photo limits (the web layer sizes its upload body limit from them).
func (s *Service) Limits() uploads.Limits { return s.limits }

// ServiceView is a service in one language, as the reporting form shows it.
type ServiceView struct {
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Lang        string         `json:"lang"` // the language Name is in (a fallback may differ from the asked one)
	Description string         `json:"description"`
	Group       string         `json:"group"`
	Keywords    []string       `json:"keywords"`
	Photo       string         `json:"photo"`
	Place       string         `json:"place"`
	Questions   []QuestionView `json:"questions"`
	Agency      string         `json:"agency"`
	Active      bool           `json:"-"`
}

// QuestionView is an extra question in one language.
type QuestionView struct {
	Code     string       `json:"code"`
	Label    string       `json:"label"`
	Type     string       `json:"type"`
	Required bool         `json:"required"`
	Choices  []ChoiceView `json:"choices"`
	Order    int          `json:"order"`
}

// ChoiceView is one answer of a choice question in one language.
type ChoiceView struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

type serviceRow struct {
	ReportService `bun:",extend"`
	Agency        string `bun:"agency_name,scanonly"`
}

// Services lists the active services in lang, by group and then name.
func (s *Service) Services(ctx context.Context, lang string) ([]ServiceView, error) {
	return s.services(ctx, s.d.DB, lang, "", true)
}

// ServiceByCode is one service in lang (inactive ones too: a report names its service forever).
func (s *Service) ServiceByCode(ctx context.Context, code, lang string) (*ServiceView, error) {
	out, err := s.services(ctx, s.d.DB, lang, code, false)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errNotFound
	}
	return &out[0], nil
}

func (s *Service) services(ctx context.Context, db bun.IDB, lang, code string, activeOnly bool) ([]ServiceView, error) {
	var rows []serviceRow
	q := db.NewSelect().Model(&rows).ColumnExpr("rs.*").ColumnExpr("a.name AS agency_name").
		Join("JOIN agencies AS a ON a.id = rs.agency_id")
	if code != "" {
		q = q.Where("rs.code = ?", code)
	}
	if activeOnly {
		q = q.Where("rs.active = ?", true)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("reports: services: %w", err)
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	txt, err := texts.Load(ctx, db, TextOwnerService, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceView, 0, len(rows))
	for _, r := range rows {
		v := serviceView(&r.ReportService, txt[r.ID], lang)
		v.Agency = r.Agency
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func serviceView(r *ReportService, t texts.Fields, lang string) ServiceView {
	name, used := i18n.Pick(t["name"], lang)
	desc, _ := i18n.Pick(t["description"], lang)
	v := ServiceView{Code: r.Code, Name: name, Lang: used, Description: desc, Group: r.Group, Keywords: r.Keywords,
		Photo: r.Photo, Place: r.Place, Questions: []QuestionView{}, Active: r.Active}
	if v.Keywords == nil {
		v.Keywords = []string{}
	}
	for _, q := range r.Questions {
		label, _ := i18n.Pick(q.Label, lang)
		qv := QuestionView{Code: q.Code, Label: label, Type: q.Type, Required: q.Required, Order: q.Order, Choices: []ChoiceView{}}
		for _, ch := range q.Choices {
			l, _ := i18n.Pick(ch.Label, lang)
			qv.Choices = append(qv.Choices, ChoiceView{Key: ch.Key, Label: l})
		}
		v.Questions = append(v.Questions, qv)
	}
	return v
}

// loadService reads a service by code; nil when there is none.
func loadService(ctx context.Context, db bun.IDB, code string) (*ReportService, error) {
	svc := new(ReportService)
	err := db.NewSelect().Model(svc).Where("code = ?", code).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reports: load service: %w", err)
	}
	return svc, nil
}

// serviceCodes maps service ids to codes, in one query.
func serviceCodes(ctx context.Context, db bun.IDB, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []ReportService
	if err := db.NewSelect().Model(&rows).Column("id", "code").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("reports: service codes: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Code
	}
	return out, nil
}

// FileOwner says where a report's photos are kept (report-photos/<photo id>) and which row names
// them, for the sweep of orphaned files.
func FileOwner() files.Owner {
	return files.Owner{Prefix: "report-photos/", Table: "report_photos", IDColumn: "id", KeyColumn: "storage_key"}
}
