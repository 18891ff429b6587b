package account

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// Party names who did something, or whose data it was.
type Party struct {
	Kind string `json:"kind"`           // "citizen", "representative", "agency", "operator", "system"
	ID   string `json:"id,omitempty"`   // the portal's id of a person or agency
	Name string `json:"name,omitempty"` // a person's name or the agency's name
	Me   bool   `json:"me"`             // the caller themselves
	Role string `json:"role,omitempty"` // a representative's relation: "guardian", "power_of_attorney"
}

// Entry is one line of the access log.
type Entry struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	Action     string         `json:"action"` // one of audit.Actions, e.g. "read", "booking.cancel", "login"
	Text       string         `json:"text"`   // the entry in words, in the reader's language
	ObjectKind string         `json:"objectKind"`
	ObjectID   string         `json:"objectId"`
	Actor      Party          `json:"actor"`
	Subject    *Party         `json:"subject"` // whose data; null for the caller's own logins
	Detail     map[string]any `json:"detail"`
}

// AccessLog lists, newest first, what was done to the citizen's data (subject = them: agency reads
// and writes, representatives' reads and actions, their own logins and downloads) and what they did
// for others as a representative or agency editor (actor = them), each in words in lang. The
// citizen's own reading of their own data is not logged. cursor is the id of the last entry of the
// previous page.
func (s *Service) AccessLog(ctx context.Context, db bun.IDB, citizenID, lang, cursor string, limit int) ([]Entry, string, error) {
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	q := db.NewSelect().Model((*audit.Entry)(nil)).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("subject_id = ?", citizenID).WhereOr("actor_id = ?", citizenID)
		}).
		OrderExpr("id DESC").Limit(int64(limit + 1))
	if cursor != "" {
		before, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || before <= 0 {
			return nil, "", apperr.BadRequest("error.detail.cursor_expired")
		}
		q = q.Where("id < ?", before)
	}
	var rows []audit.Entry
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, "", fmt.Errorf("account: access log: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = strconv.FormatInt(rows[limit-1].ID, 10)
	}
	names, err := resolveNames(ctx, db, rows)
	if err != nil {
		return nil, "", err
	}
	whys, err := suggestionWhys(ctx, db, rows, lang)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e := Entry{ID: strconv.FormatInt(r.ID, 10), At: r.At, Action: r.Action, ObjectKind: r.ObjectKind, ObjectID: r.ObjectID, Detail: r.Detail}
		e.Actor = Party{Kind: r.ActorKind}
		if r.ActorID != nil {
			e.Actor.ID, e.Actor.Me = *r.ActorID, *r.ActorID == citizenID
			e.Actor.Name = names.of(r.ActorKind, *r.ActorID)
		}
		if r.SubjectID != nil && !(r.ActorID != nil && *r.ActorID == *r.SubjectID) {
			e.Subject = &Party{Kind: audit.ActorCitizen, ID: *r.SubjectID, Me: *r.SubjectID == citizenID, Name: names.people[*r.SubjectID]}
		}
		if e.Detail == nil {
			e.Detail = map[string]any{}
		}
		if r.ActorKind == audit.ActorRepresentative && r.ActorID != nil && r.SubjectID != nil {
			e.Actor.Role = names.roleAt(*r.ActorID, *r.SubjectID, r.At)
		}
		if why, ok := whys[r.ObjectID]; ok && r.ObjectKind == "suggestion" {
			e.Detail["why"] = why // the reader's language, where the rule has it
		}
		e.Text = s.phrase(lang, e, r.ObjectKind, names.agencies[detailString(r.Detail, "agencyId")])
		out = append(out, e)
	}
	return out, next, nil
}

type nameBook struct {
	people, agencies map[string]string
	relations        []relationSpan // between the representatives and the people in the entries
}

type relationSpan struct {
	RepresentativeID string     `bun:"representative_id"`
	SubjectID        string     `bun:"subject_id"`
	Kind             string     `bun:"kind"`
	ValidFrom        time.Time  `bun:"valid_from"`
	ValidUntil       *time.Time `bun:"valid_until"`
}

// roleAt is the kind of relation through which actor acted for subject at t; a relation valid then
// wins over one that was not (it may have ended since, or been registered again).
func (n nameBook) roleAt(actor, subject string, t time.Time) string {
	role := ""
	for _, r := range n.relations {
		if r.RepresentativeID != actor || r.SubjectID != subject {
			continue
		}
		if !t.Before(r.ValidFrom) && (r.ValidUntil == nil || t.Before(*r.ValidUntil)) {
			return r.Kind
		}
		if role == "" {
			role = r.Kind
		}
	}
	return role
}

func detailString(d map[string]any, key string) string {
	v, _ := d[key].(string)
	return v
}

func (n nameBook) of(kind, id string) string {
	if kind == audit.ActorAgency {
		return n.agencies[id]
	}
	if kind == audit.ActorCitizen || kind == audit.ActorRepresentative {
		return n.people[id]
	}
	return ""
}

// resolveNames loads the names of every person and agency in the entries at once.
func resolveNames(ctx context.Context, db bun.IDB, rows []audit.Entry) (nameBook, error) {
	book := nameBook{people: map[string]string{}, agencies: map[string]string{}}
	var people, agencies, representatives []string
	for _, r := range rows {
		if id := detailString(r.Detail, "agencyId"); id != "" {
			agencies = append(agencies, id)
		}
		if r.ActorID != nil {
			if r.ActorKind == audit.ActorRepresentative {
				representatives = append(representatives, *r.ActorID)
			}
			if r.ActorKind == audit.ActorAgency {
				agencies = append(agencies, *r.ActorID)
			} else {
				people = append(people, *r.ActorID)
			}
		}
		if r.SubjectID != nil {
			people = append(people, *r.SubjectID)
		}
	}
	if len(people) > 0 {
		var cs []citizens.Citizen
		if err := db.NewSelect().Model(&cs).Column("id", "name").Where("id IN (?)", bun.In(people)).Scan(ctx); err != nil {
			return book, fmt.Errorf("account: names: %w", err)
		}
		for _, c := range cs {
			book.people[c.ID] = c.Name
		}
	}
	if len(representatives) > 0 {
		err := db.NewSelect().TableExpr("relations").Column("representative_id", "subject_id", "kind", "valid_from", "valid_until").
			Where("representative_id IN (?)", bun.In(representatives)).Where("subject_id IN (?)", bun.In(people)).
			Scan(ctx, &book.relations)
		if err != nil {
			return book, fmt.Errorf("account: relations: %w", err)
		}
	}
	if len(agencies) > 0 {
		var as []agency.Agency
		if err := db.NewSelect().Model(&as).Column("id", "name").Where("id IN (?)", bun.In(agencies)).Scan(ctx); err != nil {
			return book, fmt.Errorf("account: agency names: %w", err)
		}
		for _, a := range as {
			book.agencies[a.ID] = a.Name
		}
	}
	return book, nil
}

// suggestionWhys fills in, in lang (or the rule's nearest language), the why-text of every
// suggestion the entries are about, from the values stored with it: "suggested because …". A
// suggestion gone with its rule keeps the Norwegian why-text its audit entry recorded.
func suggestionWhys(ctx context.Context, db bun.IDB, rows []audit.Entry, lang string) (map[string]string, error) {
	var ids []string
	for _, r := range rows {
		if r.ObjectKind == "suggestion" && r.ObjectID != "" {
			ids = append(ids, r.ObjectID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var made []suggest.Row
	if err := db.NewSelect().Model(&made).Column("id", "rule_id", "facts").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("account: suggestions: %w", err)
	}
	ruleIDs := make([]string, 0, len(made))
	for _, m := range made {
		ruleIDs = append(ruleIDs, m.RuleID)
	}
	ruleTexts, err := texts.Load(ctx, db, "rule", ruleIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(made))
	for _, m := range made {
		if template, _ := i18n.Pick(ruleTexts[m.RuleID]["why"], lang); template != "" {
			out[m.ID] = suggest.Plain(suggest.Fill(template, m.Facts))
		}
	}
	return out, nil
}
