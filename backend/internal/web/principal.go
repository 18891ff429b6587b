package web

import "github.com/gofiber/fiber/v2"

// Principal is who calls the citizen API: the person logged in, and the person whose data the
// request concerns (themselves, or someone they act for as guardian or with a power of attorney).
type Principal struct {
	CitizenID    string // the logged-in person
	SubjectID    string // whose data: CitizenID, or the person acted for
	ActingAs     bool   // SubjectID != CitizenID
	SessionHash  string // identifies the session (push devices are tied to it)
	ACR          string // the identity provider's assurance level of this login
	SharedDevice bool   // keep nothing offline
	CSRFToken    string
}

const localPrincipal = "principal"

// principalOf returns the caller set by the session middleware; handlers behind it may rely on it.
func principalOf(c *fiber.Ctx) Principal {
	p, _ := c.Locals(localPrincipal).(Principal)
	return p
}
