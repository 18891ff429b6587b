package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// ErrandRecord is an errand as its lead agency sends it: whose matter it is, its title, the area a
// representative's scope must cover, and the agencies (by slug) allowed to attach their cases.
type ErrandRecord struct {
	PID          string            `json:"pid"`
	Title        map[string]string `json:"title"`
	Area         string            `json:"area"`
	Participants []string          `json:"participants,omitempty"`
	Version      int64             `json:"version"`
}

// ErrandRef names an errand on a case: the lead agency's slug and its external id of the errand.
type ErrandRef struct {
	Agency     string `json:"agency"`
	ExternalID string `json:"externalId"`
}

type errandSpec struct{}

type parsedErrand struct {
	rec    ErrandRecord
	number pid.Number
}

func (errandSpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	p := &parsedErrand{}
	c := &checker{base: base, pids: pids}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec
	p.number, _ = c.pid("/pid", r.PID)
	c.texts("/title", r.Title, titleText, true)
	c.oneOf("/area", r.Area, areas, true)
	c.count("/participants", len(r.Participants), maxListItems)
	for i := range r.Participants {
		ptr := "/participants/" + strconv.Itoa(i)
		if c.text(ptr, &r.Participants[i], shortText.Need(true)) && slices.Index(r.Participants, r.Participants[i]) < i {
			c.add(ptr, "field.duplicate", nil)
		}
	}
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedErrand) version() int64 { return p.rec.Version }

func (p *parsedErrand) people() []pid.Number { return []pid.Number{p.number} }

func (p *parsedErrand) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	person, err := w.citizen(ctx, p.number, "")
	if err != nil {
		return applied{}, err
	}
	allowed, err := agencyIDs(ctx, w, r.Participants)
	if err != nil {
		return applied{}, err
	}
	row := &errands.Errand{ID: store.NewID(), Status: cases.StatusReceived, CreatedAt: w.now}
	if prev != nil {
		if err := w.tx.NewSelect().Model(row).Where("id = ?", prev.ObjectID).Scan(ctx); err != nil {
			return applied{}, fmt.Errorf("ingest: errand: %w", err)
		}
		if err := keepsItsCases(ctx, w, row, person.ID, allowed); err != nil {
			return applied{}, err
		}
	}
	row.AgencyID, row.ExternalID, row.Version, row.CitizenID, row.Area, row.UpdatedAt = w.req.AgencyID, w.externalID, r.Version, person.ID, r.Area, w.now
	if prev != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at", "status").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: errand: %w", err)
	}
	if _, err := w.tx.NewDelete().Model((*errands.Participant)(nil)).Where("errand_id = ?", row.ID).Exec(ctx); err != nil {
		return applied{}, fmt.Errorf("ingest: errand participants: %w", err)
	}
	if len(allowed) > 0 {
		rows := make([]errands.Participant, len(allowed))
		for i, id := range allowed {
			rows[i] = errands.Participant{ErrandID: row.ID, AgencyID: id}
		}
		if _, err := w.tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return applied{}, fmt.Errorf("ingest: errand participants: %w", err)
		}
	}
	if err := texts.Save(ctx, w.tx, "errand", row.ID, texts.Fields{"title": r.Title}); err != nil {
		return applied{}, err
	}
	if err := errands.Refresh(ctx, w.tx, row.ID, w.now); err != nil {
		return applied{}, err
	}
	body, err := stripPIDs(r, row.ID, map[string]string{"pid": p.number.String()})
	return applied{objectID: row.ID, citizenID: &person.ID, body: body}, err
}

// agencyIDs resolves the participants' slugs; an unknown slug is refused at its pointer. The lead
// naming itself is allowed and needs no row (the lead always takes part).
func agencyIDs(ctx context.Context, w *writer, slugs []string) ([]string, error) {
	if len(slugs) == 0 {
		return nil, nil
	}
	var found []agency.Agency
	if err := w.tx.NewSelect().Model(&found).Column("id", "slug").Where("slug IN (?)", store.In(slugs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ingest: errand participants: %w", err)
	}
	var ids []string
	var fields apperr.Fields
	for i, slug := range slugs {
		j := slices.IndexFunc(found, func(a agency.Agency) bool { return a.Slug == slug })
		switch {
		case j < 0:
			fields.Add("/participants/"+strconv.Itoa(i), "field.unknown_reference", nil)
		case found[j].ID != w.req.AgencyID:
			ids = append(ids, found[j].ID)
		}
	}
	return ids, fields.Err()
}

// keepsItsCases refuses a new version of an errand that would strand attached cases: one moved to
// another person, or one leaving out an agency whose cases are attached (that agency detaches them
// first, by writing its cases without the errand).
func keepsItsCases(ctx context.Context, w *writer, e *errands.Errand, citizenID string, allowed []string) error {
	var attached []string
	if err := w.tx.NewSelect().Table("cases").ColumnExpr("DISTINCT agency_id").Where("errand_id = ?", e.ID).
		Scan(ctx, &attached); err != nil {
		return fmt.Errorf("ingest: errand cases: %w", err)
	}
	if len(attached) > 0 && e.CitizenID != citizenID {
		return apperr.Invalid(apperr.Field("/pid", "field.immutable", nil))
	}
	for _, a := range attached {
		if a != w.req.AgencyID && !slices.Contains(allowed, a) {
			return apperr.Invalid(apperr.Field("/participants", "field.errand_participant_has_cases", nil))
		}
	}
	return nil
}

// deleteErrand removes the errand; its cases stay, detached (cases.errand_id is set null), and
// their agencies keep them.
func deleteErrand(ctx context.Context, w *writer, r *record) error {
	if _, err := w.tx.NewUpdate().Table("cases").Set("errand_id = NULL").Where("errand_id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete errand: %w", err)
	}
	if err := texts.Delete(ctx, w.tx, "errand", r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*errands.Errand)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete errand: %w", err)
	}
	return w.change(ctx, r.CitizenID, "errand", r.ObjectID, "delete")
}

// errandOfCase resolves the errand a case names and checks the case may join it: the errand
// exists, the case's agency is its lead or allowed by the lead, and it is the same person's.
func errandOfCase(ctx context.Context, w *writer, ref ErrandRef, citizenID string) (string, error) {
	var e errands.Errand
	err := w.tx.NewSelect().Model(&e).Column("e.id", "e.agency_id", "e.citizen_id").
		Join("JOIN agencies AS a ON a.id = e.agency_id").
		Where("a.slug = ? AND e.external_id = ?", ref.Agency, ref.ExternalID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.Invalid(apperr.Field("/errand", "field.unknown_reference", nil))
	}
	if err != nil {
		return "", fmt.Errorf("ingest: case errand: %w", err)
	}
	if e.AgencyID != w.req.AgencyID {
		n, err := w.tx.NewSelect().Model((*errands.Participant)(nil)).
			Where("errand_id = ? AND agency_id = ?", e.ID, w.req.AgencyID).Count(ctx)
		if err != nil {
			return "", fmt.Errorf("ingest: case errand: %w", err)
		}
		if n == 0 {
			return "", apperr.Invalid(apperr.Field("/errand", "field.errand_not_allowed", nil))
		}
	}
	if e.CitizenID != citizenID {
		return "", apperr.Invalid(apperr.Field("/errand", "field.errand_other_person", nil))
	}
	return e.ID, nil
}

// storedErrandID is the errand a stored case was attached to ("" for none).
func storedErrandID(ctx context.Context, w *writer, caseID string) (string, error) {
	var id sql.NullString
	if err := w.tx.NewSelect().Table("cases").Column("errand_id").Where("id = ?", caseID).Scan(ctx, &id); err != nil {
		return "", fmt.Errorf("ingest: case errand: %w", err)
	}
	return id.String, nil
}
