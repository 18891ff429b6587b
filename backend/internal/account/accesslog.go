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
)

// Party names who did something, or whose data it was.
type Party struct {
	Kind string `json:"kind"`           // "citizen", "representative", "agency", "operator", "system"
	ID   string `json:"id,omitempty"`   // the portal's id of a person or agency
	Name string `json:"name,omitempty"` // a person's name or the agency's name
	Me   bool   `json:"me"`             // the caller themselves
}

// Entry is one line of the access log.
type Entry struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	Action     string         `json:"action"` // e.g. "case.read", "booking.cancel", "login"
	ObjectKind string         `json:"objectKind"`
	ObjectID   string         `json:"objectId"`
	Actor      Party          `json:"actor"`
	Subject    *Party         `json:"subject"` // whose data; null for the caller's own logins
	Detail     map[string]any `json:"detail"`
}

// AccessLog lists, newest first, what was done to the citizen's data (subject = them: agency reads
// and writes, representatives' actions, their own logins) and what they did for others as a
// representative (actor = them). cursor is the id of the last entry of the previous page.
func (s *Service) AccessLog(ctx context.Context, db bun.IDB, citizenID, cursor string, limit int) ([]Entry, string, error) {
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
		out = append(out, e)
	}
	return out, next, nil
}

type nameBook struct{ people, agencies map[string]string }

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
	var people, agencies []string
	for _, r := range rows {
		if r.ActorID != nil {
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
