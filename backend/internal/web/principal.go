package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/represent"
	"minside/backend/internal/sessions"
)

// Principal is who calls the citizen API: the person logged in, and the person whose data the
// request concerns (themselves, or someone they act for as guardian or with a power of attorney).
// requireCitizen sets it after checking the session and, when acting for someone, the relation
// (again on every request, so access ends the moment the relation does).
type Principal struct {
	CitizenID    string   // the logged-in person
	SubjectID    string   // whose data: CitizenID, or the person acted for
	ActingAs     bool     // SubjectID != CitizenID
	Areas        []string // areas the relation allows when ActingAs; nil = every area
	SessionHash  string   // identifies the session (push devices are tied to it)
	ACR          string   // the identity provider's assurance level of this login
	SharedDevice bool     // keep nothing offline
	CSRFToken    string
	// SessionStartedAt tells this session from a later one of the same person on the same
	// device (the PWA ends a session that was logged out offline, and only that one).
	SessionStartedAt time.Time
	// Known is what the session lookup read with the session (people, roles, relations), so the
	// request's readers need not read it again; nil where a Principal is made without a lookup.
	Known *sessions.Request
}

// View is the principal's access as the query filter every citizen read applies
// (see represent.View.Apply and Owns).
func (p Principal) View() represent.View {
	v := represent.View{SubjectID: p.SubjectID, Areas: p.Areas}
	if p.ActingAs {
		v.ActorID = p.CitizenID
	}
	return v
}

const localPrincipal = "principal"

// principalOf returns the caller set by the session middleware; handlers behind it may rely on it.
func principalOf(c *fiber.Ctx) Principal {
	p, _ := c.Locals(localPrincipal).(Principal)
	return p
}
