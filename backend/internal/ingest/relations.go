package ingest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
)

var relationKinds = []string{represent.KindGuardian, represent.KindPowerOfAttorney}

// RelationRecord lets one person act for another, as the population register (guardians) or the
// power-of-attorney register sends it. Names, when given, become the people's display names.
type RelationRecord struct {
	Kind               string   `json:"kind"`
	RepresentativePID  string   `json:"representativePid"`
	RepresentativeName string   `json:"representativeName,omitempty"`
	SubjectPID         string   `json:"subjectPid"`
	SubjectName        string   `json:"subjectName,omitempty"`
	Scopes             []string `json:"scopes,omitempty"`
	ValidFrom          string   `json:"validFrom"`
	ValidUntil         string   `json:"validUntil,omitempty"`
	Version            int64    `json:"version"`
}

type relationSpec struct{}

type parsedRelation struct {
	rec                     RelationRecord
	representative, subject pid.Number
	from                    time.Time
	until                   *time.Time
}

func (relationSpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	p := &parsedRelation{}
	c := &checker{base: base, pids: pids}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec // checks write the canonical text back into the record
	c.oneOf("/kind", r.Kind, relationKinds, true)
	var okR, okS bool
	p.representative, okR = c.pid("/representativePid", r.RepresentativePID)
	p.subject, okS = c.pid("/subjectPid", r.SubjectPID)
	if okR && okS && p.representative.Digits() == p.subject.Digits() {
		c.add("/subjectPid", "field.invalid", nil)
	}
	c.text("/representativeName", &r.RepresentativeName, nameText)
	c.text("/subjectName", &r.SubjectName, nameText)
	c.count("/scopes", len(r.Scopes), len(areas))
	if r.Kind == represent.KindPowerOfAttorney && r.Scopes != nil && len(r.Scopes) == 0 {
		// An empty list would grant nothing (represent.AreasOf): name an area, or omit the list
		// for every area.
		c.add("/scopes", "field.too_few", map[string]any{"Min": 1})
	}
	for i, s := range r.Scopes {
		c.oneOf("/scopes/"+strconv.Itoa(i), s, areas, true)
	}
	if from := c.time("/validFrom", r.ValidFrom, true); from != nil {
		p.from = *from
	}
	p.until = c.time("/validUntil", r.ValidUntil, false)
	if p.until != nil && !p.from.IsZero() && !p.until.After(p.from) {
		c.add("/validUntil", "field.must_be_after", map[string]any{"Other": "validFrom"})
	}
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	if r.Kind == represent.KindGuardian {
		p.rec.Scopes = nil // a guardian acts in every area
	}
	return p, nil
}

func (p *parsedRelation) version() int64 { return p.rec.Version }

func (p *parsedRelation) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	// Only the agency the operator named for a kind of relation may say who represents whom.
	if err := agency.RequireAuthority(ctx, w.tx, w.req.AgencyID, r.Kind); err != nil {
		return applied{}, err
	}
	rep, err := w.citizen(ctx, p.representative, r.RepresentativeName)
	if err != nil {
		return applied{}, err
	}
	subject, err := w.citizen(ctx, p.subject, r.SubjectName)
	if err != nil {
		return applied{}, err
	}
	row := &represent.Relation{ID: store.NewID(), CreatedAt: w.now}
	var before *represent.Relation
	if prev != nil {
		before = new(represent.Relation)
		if err := w.tx.NewSelect().Model(before).Where("id = ?", prev.ObjectID).Scan(ctx); err != nil {
			return applied{}, fmt.Errorf("ingest: relation: %w", err)
		}
		if before.RepresentativeID != rep.ID || before.SubjectID != subject.ID {
			// Who represents whom is the identity of a relation: a new pair is a new external id.
			return applied{}, apperr.Invalid(apperr.Field("/subjectPid", "field.immutable", nil))
		}
		row.ID, row.CreatedAt = before.ID, before.CreatedAt
	}
	row.AgencyID, row.ExternalID, row.Version, row.Kind = w.req.AgencyID, w.externalID, r.Version, r.Kind
	row.RepresentativeID, row.SubjectID, row.Scopes = rep.ID, subject.ID, r.Scopes
	row.ValidFrom, row.ValidUntil, row.UpdatedAt = p.from, p.until, w.now
	if before != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: relation: %w", err)
	}
	var reason string
	switch {
	case before == nil:
		reason = "new"
	case endsNow(before.ValidUntil, row.ValidUntil, w.now):
		reason = "ended"
	}
	if err := relationChanged(ctx, w, row, "upsert", reason); err != nil {
		return applied{}, err
	}
	ev := relationEvents(before == nil, reason == "ended", row.Kind, subject.ID, subject.BirthDate, w.now)
	if err := w.suggestEvent(ctx, rep.ID, ev); err != nil {
		return applied{}, err
	}
	// The subject's facts changed too: someone acts for them now, or no longer.
	subjectEv := suggest.Event{Kind: "relation.created", ObjectID: rep.ID}
	if reason == "ended" {
		subjectEv.Kind = "relation.ended"
	}
	if err := w.suggestEvent(ctx, subject.ID, subjectEv); err != nil {
		return applied{}, err
	}
	body, err := stripPIDs(r, row.ID, map[string]string{
		"representativePid": p.representative.String(), "subjectPid": p.subject.String(),
	})
	return applied{objectID: row.ID, citizenID: &subject.ID, body: body}, err
}

// endsNow reports whether an update ended a relation that was running.
func endsNow(before, after *time.Time, now time.Time) bool {
	wasOpen := before == nil || before.After(now)
	return wasOpen && after != nil && !after.After(now)
}

// relationChanged records the change for both people and, for news, tells both.
func relationChanged(ctx context.Context, w *writer, r *represent.Relation, op, reason string) error {
	for _, who := range []string{r.RepresentativeID, r.SubjectID} {
		if err := w.change(ctx, &who, "relation", r.ID, op); err != nil {
			return err
		}
		if reason == "" {
			continue
		}
		ev := outbox.NotifyEvent{CitizenID: who, Kind: "relation", ObjectID: r.ID, Reason: reason}
		if err := w.notify(ctx, ev, outbox.Options{}); err != nil {
			return err
		}
	}
	return nil
}

func deleteRelation(ctx context.Context, w *writer, rec *record) error {
	r := new(represent.Relation)
	if err := w.tx.NewSelect().Model(r).Where("id = ?", rec.ObjectID).Scan(ctx); err != nil {
		return fmt.Errorf("ingest: delete relation: %w", err)
	}
	if _, err := w.tx.NewDelete().Model(r).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete relation: %w", err)
	}
	reason := "ended"
	if r.ValidUntil != nil && !r.ValidUntil.After(w.now) {
		reason = "" // it had ended already; nobody needs telling twice
	}
	if err := relationChanged(ctx, w, r, "delete", reason); err != nil {
		return err
	}
	for _, pair := range [][2]string{{r.RepresentativeID, r.SubjectID}, {r.SubjectID, r.RepresentativeID}} {
		if err := w.suggestEvent(ctx, pair[0], suggest.Event{Kind: "relation.ended", ObjectID: pair[1]}); err != nil {
			return err
		}
	}
	return nil
}
