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
	now := s.deps.Now()
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
			EndsSoon: represent.EndsSoon(r.ValidUntil, now), NeedsAction: needs[i]}
		out.Represents = append(out.Represents, item)
		if p.ActingAs && r.Subject.ID == p.SubjectID {
			out.ActingAs = &actingAsJSON{ID: r.Subject.ID, Name: r.Subject.Name, Relation: r.Relation, Scopes: r.Areas, ValidUntil: r.ValidUntil}
		}
	}
	return c.JSON(out)
}

// representationJSON is who may act for the person, and the accesses they lost lately.
type representationJSON struct {
	Representatives []representativeJSON `json:"representatives"`
	Ended           []endedJSON          `json:"ended"`
}

// myRepresentation answers GET /api/v1/me/representation. It is apart from /me, which every start
// of the app asks for within its round-trip budget; this is read where it is shown.
func (s *Server) myRepresentation(c *fiber.Ctx) error {
	ctx, db, now := c.UserContext(), s.deps.DB, s.deps.Now()
	self := principalOf(c).CitizenID
	out := representationJSON{Representatives: []representativeJSON{}, Ended: []endedJSON{}}
	reps, err := s.deps.Access.RepresentedBy(ctx, db, self, now)
	if err != nil {
		return err
	}
	for _, r := range reps {
		out.Representatives = append(out.Representatives, representativeJSON{ID: r.ID, Name: r.Name, Relation: r.Relation,
			Scopes: r.Areas, ValidUntil: r.ValidUntil, EndsSoon: represent.EndsSoon(r.ValidUntil, now)})
	}
	ended, err := s.deps.Access.EndedFor(ctx, db, self, now.Add(-endedShownFor), now)
	if err != nil {
		return err
	}
	for _, e := range ended {
		out.Ended = append(out.Ended, endedJSON{ID: e.SubjectID, Name: e.SubjectName, Relation: e.Relation, Scopes: e.Areas,
			EndedAt: e.EndedAt.UTC(), Reason: e.Reason, Agency: agencyJSON{Slug: e.AgencySlug, Name: e.AgencyName}})
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
