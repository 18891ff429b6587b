package web_test

import (
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
)

// TestLoginThroughDevIdP logs in through /auth/login → /dev-idp → /auth/callback and reads /me.
func TestLoginThroughDevIdP(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1985, 1)
		c := p.LoginAs(t, number)
		r := c.Get(t, "/api/v1/me").Status(t, http.StatusOK)
		var me struct {
			ID, Name, PIDMasked, BirthDate, CSRFToken string
		}
		r.JSON(t, &me)
		if me.PIDMasked != number[:6]+"*****" || me.BirthDate != "1985-06-01" || me.CSRFToken == "" || me.ID == "" {
			t.Errorf("me = %+v", me)
		}
		if strings.Contains(string(r.Body), number) || len(apptest.FindPIDs(string(r.Body))) > 0 {
			t.Errorf("the national id is in the body: %s", r.Body)
		}
	})
}
