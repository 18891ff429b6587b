package web

import (
	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/notify"
)

// getPreferences answers the logged-in person's own choices (language, quiet hours, channels).
func (s *Server) getPreferences(c *fiber.Ctx) error {
	prefs, err := s.deps.Notify.Preferences.Get(c.UserContext(), principalOf(c).CitizenID)
	if err != nil {
		return err
	}
	return c.JSON(prefs)
}

// putPreferences saves them; members left out keep their value. A new language applies from the
// next request and to every later push.
func (s *Server) putPreferences(c *fiber.Ctx) error {
	if _, err := objectMembers(c.Body(), "language", "quietHours", "channels", "representedNotifications", "suggestions"); err != nil {
		return err
	}
	in, err := notify.DecodePrefsInput(c.Body())
	if err != nil {
		return err
	}
	prefs, err := s.deps.Notify.Preferences.Put(c.UserContext(), principalOf(c).CitizenID, in, s.deps.Now())
	if err != nil {
		return err
	}
	return c.JSON(prefs)
}
