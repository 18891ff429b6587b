package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"minside/backend/internal/apperr"
	"minside/backend/internal/pid"
	"minside/backend/internal/reports"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// Bounds of a report service: a form a person fills in on a phone in under a minute.
const (
	maxServiceKeywords  = 20
	maxServiceQuestions = 20
	maxQuestionChoices  = 30
)

// serviceGroups are the groups the reporting pages sort services into.
var serviceGroups = []string{"roads", "lighting", "waste", "water", "parks", "graffiti", "traffic", "buildings", "environment", "other"}

var questionTypes = []string{reports.TypeText, reports.TypeNumber, reports.TypeDateTime, reports.TypeSingleChoice, reports.TypeMultiChoice}

// validQuestionCode keeps question and choice codes usable as Open311 attribute codes and as
// form field names.
var validQuestionCode = regexp.MustCompile(`^[a-z0-9_]{1,50}$`)

// ReportServiceRecord is what can be reported, as an agency publishes it; the external id is the
// service code (Open311's service_code), unique across every agency.
type ReportServiceRecord struct {
	Name        map[string]string      `json:"name"`
	Description map[string]string      `json:"description,omitempty"`
	Group       string                 `json:"group"`
	Keywords    []string               `json:"keywords,omitempty"`
	Photo       string                 `json:"photo"`
	Place       string                 `json:"place"`
	Questions   []ReportQuestionRecord `json:"questions,omitempty"`
	Active      bool                   `json:"active"`
	Version     int64                  `json:"version"`
}

// ReportQuestionRecord is one extra question of a service.
type ReportQuestionRecord struct {
	Code     string               `json:"code"`
	Label    map[string]string    `json:"label"`
	Type     string               `json:"type"`
	Required bool                 `json:"required,omitempty"`
	Choices  []ReportChoiceRecord `json:"choices,omitempty"`
	Order    int                  `json:"order,omitempty"`
}

// ReportChoiceRecord is one answer of a choice question.
type ReportChoiceRecord struct {
	Key   string            `json:"key"`
	Label map[string]string `json:"label"`
}

type reportServiceSpec struct{}

type parsedReportService struct{ rec ReportServiceRecord }

func (reportServiceSpec) parse(body []byte, base string, _ pid.Options) (parsed, error) {
	p := &parsedReportService{}
	c := &checker{base: base}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec
	c.texts("/name", r.Name, titleText, true)
	c.texts("/description", r.Description, bodyText, false)
	c.oneOf("/group", r.Group, serviceGroups, true)
	c.count("/keywords", len(r.Keywords), maxServiceKeywords)
	for i := range r.Keywords {
		c.text("/keywords/"+strconv.Itoa(i), &r.Keywords[i], shortText.Need(true))
	}
	c.oneOf("/photo", r.Photo, []string{reports.PhotoNone, reports.PhotoOptional, reports.PhotoRequired}, true)
	c.oneOf("/place", r.Place, []string{reports.PlaceOptional, reports.PlaceRequired}, true)
	c.count("/questions", len(r.Questions), maxServiceQuestions)
	seen := map[string]bool{}
	for i := range r.Questions {
		q := &r.Questions[i]
		ptr := "/questions/" + strconv.Itoa(i)
		if !validQuestionCode.MatchString(q.Code) {
			c.add(ptr+"/code", "field.invalid", nil)
		} else if seen[q.Code] {
			c.add(ptr+"/code", "field.duplicate", nil)
		}
		seen[q.Code] = true
		c.texts(ptr+"/label", q.Label, titleText, true)
		c.oneOf(ptr+"/type", q.Type, questionTypes, true)
		choice := q.Type == reports.TypeSingleChoice || q.Type == reports.TypeMultiChoice
		switch {
		case choice && len(q.Choices) == 0:
			c.add(ptr+"/choices", "field.required", nil)
		case !choice && len(q.Choices) > 0:
			c.add(ptr+"/choices", "field.unknown", nil)
		}
		c.count(ptr+"/choices", len(q.Choices), maxQuestionChoices)
		keys := map[string]bool{}
		for j := range q.Choices {
			ch := &q.Choices[j]
			cp := ptr + "/choices/" + strconv.Itoa(j)
			if !validQuestionCode.MatchString(ch.Key) {
				c.add(cp+"/key", "field.invalid", nil)
			} else if keys[ch.Key] {
				c.add(cp+"/key", "field.duplicate", nil)
			}
			keys[ch.Key] = true
			c.texts(cp+"/label", ch.Label, titleText, true)
		}
	}
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedReportService) version() int64 { return p.rec.Version }

// apply writes the service. Its code is the external id, unique across agencies: a code another
// agency already publishes is refused (409) and nothing is written.
func (p *parsedReportService) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	existing := new(reports.ReportService)
	err := w.tx.NewSelect().Model(existing).Where("code = ?", w.externalID).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		existing = nil
	case err != nil:
		return applied{}, fmt.Errorf("ingest: report service: %w", err)
	case existing.AgencyID != w.req.AgencyID:
		return applied{}, apperr.Invalid(apperr.Field("/externalId", "field.taken", nil))
	}
	row := &reports.ReportService{ID: store.NewID(), CreatedAt: w.now}
	if existing != nil {
		row.ID, row.CreatedAt = existing.ID, existing.CreatedAt
	}
	row.AgencyID, row.Code, row.Group, row.Photo, row.Place = w.req.AgencyID, w.externalID, r.Group, r.Photo, r.Place
	row.Keywords, row.Active, row.Version, row.UpdatedAt = r.Keywords, r.Active, r.Version, w.now
	if row.Keywords == nil {
		row.Keywords = []string{}
	}
	row.Questions = make([]reports.Question, 0, len(r.Questions))
	for _, q := range r.Questions {
		out := reports.Question{Code: q.Code, Label: q.Label, Type: q.Type, Required: q.Required, Order: q.Order}
		for _, ch := range q.Choices {
			out.Choices = append(out.Choices, reports.Choice{Key: ch.Key, Label: ch.Label})
		}
		row.Questions = append(row.Questions, out)
	}
	slices.SortStableFunc(row.Questions, func(a, b reports.Question) int { return a.Order - b.Order })
	if existing != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: report service: %w", err)
	}
	if err := texts.Save(ctx, w.tx, reports.TextOwnerService, row.ID, texts.Fields{"name": r.Name, "description": r.Description}); err != nil {
		return applied{}, err
	}
	body, err := stripPIDs(r, row.ID, nil)
	return applied{objectID: row.ID, body: body}, err
}

// deleteReportService removes a service with no reports. One with reports is deactivated
// instead: its reports keep their service, and a later PUT of the code takes it up again.
func deleteReportService(ctx context.Context, w *writer, r *record) error {
	n, err := w.tx.NewSelect().Model((*reports.Report)(nil)).Where("service_id = ?", r.ObjectID).Limit(1).Count(ctx)
	if err != nil {
		return fmt.Errorf("ingest: delete report service: %w", err)
	}
	if n > 0 {
		_, err := w.tx.NewUpdate().Model((*reports.ReportService)(nil)).Set("active = ?", false).Set("updated_at = ?", w.now).
			Where("id = ?", r.ObjectID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("ingest: deactivate report service: %w", err)
		}
		return nil
	}
	if err := texts.Delete(ctx, w.tx, reports.TextOwnerService, r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*reports.ReportService)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete report service: %w", err)
	}
	return nil
}

func (p *parsedReportService) bodyParts() (any, map[string]string) { return p.rec, nil }
