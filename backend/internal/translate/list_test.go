package translate_test

import (
	"net/http"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/translate"
)

// TestMessageListIsWholeAndCompressed: the console gets every message of a language in one answer
// (it searches, filters and pages them itself), gzip-compressed: about 175 KB of JSON is 32 KB.
func TestMessageListIsWholeAndCompressed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		pid := apptest.PID(t, 1979, 9)
		grant(t, p, p.Citizen(t, pid, "Oksana Translator"), translate.RoleTranslator, "uk")
		c := p.LoginAs(t, pid)
		var body struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
		}
		c.Get(t, "/api/v1/translate/uk/messages?filter=all").Status(t, http.StatusOK).JSON(t, &body)
		if len(body.Messages) < 300 || !p.App.Bundle.HasSource(body.Messages[len(body.Messages)-1].ID) {
			t.Fatalf("%d messages, want the whole language", len(body.Messages))
		}
		req := c.NewRequest(t, http.MethodGet, "/api/v1/translate/uk/messages?filter=all", nil)
		req.Header.Set("Accept-Encoding", "gzip") // set by hand, so the client does not unpack it silently
		res := c.Do(t, req).Status(t, http.StatusOK)
		if got := res.Header.Get("Content-Encoding"); got != "gzip" {
			t.Errorf("Content-Encoding = %q, want gzip", got)
		}
	})
}
