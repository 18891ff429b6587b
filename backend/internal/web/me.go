package web

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/sessions"
)

// personJSON is the Person of the citizen API: never a national id, not even masked.
type personJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type representedJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Relation    string     `json:"relation"`
	Scopes      []string   `json:"scopes"` // null: every area
	ValidUntil  *time.Time `json:"validUntil"`
	NeedsAction int        `json:"needsAction"`
}

type meJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	PIDMasked string `json:"pidMasked"`
	BirthDate string `json:"birthDate"`
	Language  string `json:"language"`
	CSRFToken string `json:"csrfToken"`
	// SessionStartedAt is when this login began: the PWA's name for the session.
	SessionStartedAt time.Time         `json:"sessionStartedAt"`
	SharedDevice     bool              `json:"sharedDevice"`
	Roles            []string          `json:"roles"`
	ActingAs         *personJSON       `json:"actingAs"`
	Represents       []representedJSON `json:"represents"`
}

// me answers GET /api/v1/me: the person, their session's CSRF token, and whom they may act for.
func (s *Server) me(c *fiber.Ctx) error {
	return s.answerMe(c, principalOf(c))
}

func (s *Server) answerMe(c *fiber.Ctx, p Principal) error {
	ctx := c.UserContext()
	known, err := s.knownOf(c, p)
	if err != nil {
		return err
	}
	self := known.Person(p.CitizenID)
	if self == nil {
		return apperr.NotFound()
	}
	out := meJSON{ID: self.ID, Name: self.Name, PIDMasked: self.PIDMasked, BirthDate: self.BirthDate.Format(time.DateOnly),
		Language: languageOf(c), CSRFToken: p.CSRFToken, SharedDevice: p.SharedDevice,
		SessionStartedAt: p.SessionStartedAt.UTC(),
		Roles:            []string{}, Represents: []representedJSON{}}
	for _, r := range known.Roles {
		out.Roles = append(out.Roles, r.Role+":"+r.Scope)
	}
	views := make([]represent.View, len(known.Represents))
	for i, r := range known.Represents {
		views[i] = r.View(self.ID)
	}
	needs := make([]int, len(views))
	if s.deps.NeedsActions != nil && len(views) > 0 {
		if needs, err = s.deps.NeedsActions(ctx, views); err != nil {
			return err
		}
	}
	for i, r := range known.Represents {
		item := representedJSON{ID: r.Subject.ID, Name: r.Subject.Name, Relation: r.Relation, Scopes: r.Areas, ValidUntil: r.ValidUntil,
			NeedsAction: needs[i]}
		out.Represents = append(out.Represents, item)
		if p.ActingAs && r.Subject.ID == p.SubjectID {
			out.ActingAs = &personJSON{ID: r.Subject.ID, Name: r.Subject.Name}
		}
	}
	return c.JSON(out)
}

// knownOf is what the session lookup read for p (people, roles, relations), or the same read now
// for a Principal made without a lookup.
func (s *Server) knownOf(c *fiber.Ctx, p Principal) (*sessions.Request, error) {
	if p.Known != nil {
		return p.Known, nil
	}
	ctx := c.UserContext()
	self, err := citizens.Get(ctx, s.deps.DB, p.CitizenID)
	if err != nil {
		return nil, err
	}
	known := &sessions.Request{People: []citizens.Citizen{*self}}
	if err := s.deps.DB.NewSelect().Model(&known.Roles).Where("citizen_id = ?", self.ID).OrderExpr("role, scope").Scan(ctx); err != nil {
		return nil, fmt.Errorf("web: roles: %w", err)
	}
	if known.Represents, err = s.deps.Access.Represents(ctx, s.deps.DB, self.ID, s.deps.Now()); err != nil {
		return nil, err
	}
	return known, nil
}

// putActingAs answers PUT /api/v1/me/acting-as {citizenId|null}: whom the session acts for from
// now on. Someone the citizen may not act for is answered as not found.
func (s *Server) putActingAs(c *fiber.Ctx) error {
	members, err := objectMembers(c.Body(), "citizenId")
	if err != nil {
		return err
	}
	var body struct {
		CitizenID *string `json:"citizenId"`
	}
	if raw, ok := members["citizenId"]; ok {
		if err := json.Unmarshal(raw, &body.CitizenID); err != nil {
			return apperr.Invalid(apperr.Field("/citizenId", "field.invalid", nil)).Wrap(err)
		}
	}
	p := principalOf(c)
	ctx := c.UserContext()
	if body.CitizenID == nil || *body.CitizenID == "" || *body.CitizenID == p.CitizenID {
		if err := s.deps.Sessions.SetActingAs(ctx, p.SessionHash, nil); err != nil {
			return err
		}
		if p.ActingAs {
			if err := s.recordActing(c, "act_as_end", p.SubjectID); err != nil {
				return err
			}
		}
		p.SubjectID, p.ActingAs, p.Areas = p.CitizenID, false, nil
		return s.answerMe(c, p)
	}
	subject := *body.CitizenID
	view, ok, err := s.deps.Access.ViewFor(ctx, s.deps.DB, p.CitizenID, subject, s.deps.Now())
	if err != nil {
		return err
	}
	if !ok {
		return s.notFoundFor(c, "citizen", subject)
	}
	if err := s.deps.Sessions.SetActingAs(ctx, p.SessionHash, &subject); err != nil {
		return err
	}
	if err := s.recordActing(c, "act_as_start", subject); err != nil {
		return err
	}
	p.SubjectID, p.ActingAs, p.Areas = view.SubjectID, true, view.Areas
	c.Locals(localPrincipal, p)
	return s.answerMe(c, p)
}

func (s *Server) recordActing(c *fiber.Ctx, action, subjectID string) error {
	p := principalOf(c)
	return audit.Record(c.UserContext(), s.deps.DB, audit.Entry{At: s.deps.Now(), ActorKind: audit.ActorRepresentative,
		ActorID: &p.CitizenID, SubjectID: &subjectID, Action: action, ObjectKind: "citizen", ObjectID: subjectID,
		RequestID: requestIDOf(c)})
}
