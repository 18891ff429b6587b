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
	EndsSoon    bool       `json:"endsSoon"`
	NeedsAction int        `json:"needsAction"`
}

// actingAsJSON is whose page the session shows, with what the relation allows there.
type actingAsJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Relation   string     `json:"relation"`
	Scopes     []string   `json:"scopes"`
	ValidUntil *time.Time `json:"validUntil"`
}

// representativeJSON is someone who may act for the person.
type representativeJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Relation   string     `json:"relation"`
	Scopes     []string   `json:"scopes"`
	ValidUntil *time.Time `json:"validUntil"`
	EndsSoon   bool       `json:"endsSoon"`
}

// endedJSON is an access the person lost lately, with the agency that wrote the relation.
type endedJSON struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Relation string     `json:"relation"`
	Scopes   []string   `json:"scopes"`
	EndedAt  time.Time  `json:"endedAt"`
	Reason   string     `json:"reason"`
	Agency   agencyJSON `json:"agency"`
}

// agencyJSON is the Agency of the citizen API.
type agencyJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// endedShownFor is how long an ended access is still explained to the one who lost it.
const endedShownFor = 90 * 24 * time.Hour

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
	ActingAs         *actingAsJSON     `json:"actingAs"`
	Represents       []representedJSON `json:"represents"`
	// Representatives may act for this person; Ended are accesses this person lost lately.
	Representatives []representativeJSON `json:"representatives"`
	Ended           []endedJSON          `json:"ended"`
}

// me answers GET /api/v1/me: the person, their session's CSRF token, and whom they may act for.
func (s *Server) me(c *fiber.Ctx) error {
	return s.answerMe(c, principalOf(c))
}

func (s *Server) answerMe(c *fiber.Ctx, p Principal) error {
	ctx := c.UserContext()
	db := s.deps.DB
	self, err := citizens.Get(ctx, db, p.CitizenID)
	if err != nil {
		return err
	}
	out := meJSON{ID: self.ID, Name: self.Name, PIDMasked: self.PIDMasked, BirthDate: self.BirthDate.Format(time.DateOnly),
		Language: languageOf(c), CSRFToken: p.CSRFToken, SharedDevice: p.SharedDevice,
		SessionStartedAt: p.SessionStartedAt.UTC(),
		Roles:            []string{}, Represents: []representedJSON{}, Representatives: []representativeJSON{}, Ended: []endedJSON{}}
	var roles []citizens.Role
	if err := db.NewSelect().Model(&roles).Where("citizen_id = ?", self.ID).OrderExpr("role, scope").Scan(ctx); err != nil {
		return fmt.Errorf("web: roles: %w", err)
	}
	for _, r := range roles {
		out.Roles = append(out.Roles, r.Role+":"+r.Scope)
	}
	now := s.deps.Now()
	list, err := s.deps.Access.Represents(ctx, db, self.ID, now)
	if err != nil {
		return err
	}
	for _, r := range list {
		item := representedJSON{ID: r.Subject.ID, Name: r.Subject.Name, Relation: r.Relation, Scopes: r.Areas, ValidUntil: r.ValidUntil,
			EndsSoon: represent.EndsSoon(r.ValidUntil, now)}
		if s.deps.NeedsAction != nil {
			if item.NeedsAction, err = s.deps.NeedsAction(ctx, r.View(self.ID)); err != nil {
				return err
			}
		}
		out.Represents = append(out.Represents, item)
		if p.ActingAs && r.Subject.ID == p.SubjectID {
			out.ActingAs = &actingAsJSON{ID: r.Subject.ID, Name: r.Subject.Name, Relation: r.Relation, Scopes: r.Areas, ValidUntil: r.ValidUntil}
		}
	}
	reps, err := s.deps.Access.RepresentedBy(ctx, db, self.ID, now)
	if err != nil {
		return err
	}
	for _, r := range reps {
		out.Representatives = append(out.Representatives, representativeJSON{ID: r.ID, Name: r.Name, Relation: r.Relation,
			Scopes: r.Areas, ValidUntil: r.ValidUntil, EndsSoon: represent.EndsSoon(r.ValidUntil, now)})
	}
	ended, err := s.deps.Access.EndedFor(ctx, db, self.ID, now.Add(-endedShownFor), now)
	if err != nil {
		return err
	}
	for _, e := range ended {
		out.Ended = append(out.Ended, endedJSON{ID: e.SubjectID, Name: e.SubjectName, Relation: e.Relation, Scopes: e.Areas,
			EndedAt: e.EndedAt.UTC(), Reason: e.Reason, Agency: agencyJSON{Slug: e.AgencySlug, Name: e.AgencyName}})
	}
	return c.JSON(out)
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
			if err := s.recordActing(c, audit.ActionActAsEnd, p.SubjectID); err != nil {
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
	if err := s.recordActing(c, audit.ActionActAsStart, subject); err != nil {
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
