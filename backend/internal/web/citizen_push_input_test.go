package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/notify"
	"minside/backend/internal/push/pushtest"
)

// A push subscription body follows the text rule of every other field (its label is a name) and
// names no member twice; a refused body stores no device. Before, a NUL in the label answered 500
// and a second "endpoint" silently won.
func TestPushSubscriptionRefusesUnsafeLabelsAndDuplicateMembers(t *testing.T) {
	pushPortal(t, func(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
		c := p.LoginAs(t, apptest.PID(t, 1978, 1))
		browser := string(pushtest.BrowserJSON(srv.NewSubscriber()))
		withLabel := func(label string) string {
			b, _ := json.Marshal(label)
			return strings.Replace(browser, "{", `{"label":`+string(b)+`,`, 1)
		}
		tests := []struct {
			name, body, want string
		}{
			{"NUL in the label", withLabel("Telefonen\x00"), "/label field.control_character"},
			{"line break in the label", withLabel("Telefonen\nmin"), "/label field.control_character"},
			{"bidi override in the label", withLabel("Telefon\u202enim"), "/label field.bidi_control"},
			{"invisible label", withLabel("\u200b\u200b"), "/label field.blank"},
			{"lone surrogate in the label", strings.Replace(browser, "{", `{"label":"Tele\ud800fon",`, 1), "/label field.invalid_text"},
			{"label too long", withLabel(strings.Repeat("x", 101)), "/label field.too_long"},
			{"endpoint twice", strings.Replace(browser, "{", `{"endpoint":"https://evil.example/x",`, 1), "/endpoint field.duplicate_member"},
			{"key twice", strings.Replace(browser, `"keys":{`, `"keys":{"auth":"AAAAAAAAAAAAAAAAAAAAAA",`, 1), "/keys/auth field.duplicate_member"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", json.RawMessage(tc.body)).Status(t, http.StatusUnprocessableEntity)
				var pb problemBody
				r.JSON(t, &pb)
				var got []string
				for _, e := range pb.Errors {
					got = append(got, e.Pointer+" "+e.Code)
				}
				if len(got) != 1 || got[0] != tc.want {
					t.Fatalf("field errors %q, want [%s]", got, tc.want)
				}
				if n, _ := p.DB.NewSelect().Model((*notify.Device)(nil)).Count(context.Background()); n != 0 {
					t.Fatalf("a refused subscription stored %d devices", n)
				}
			})
		}
		// A good label is kept in canonical form (NFC).
		var dev notify.DeviceView
		c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", json.RawMessage(withLabel("Kafe\u0301-telefonen"))).Status(t, http.StatusCreated).JSON(t, &dev)
		if dev.Label != "Kafé-telefonen" {
			t.Fatalf("label %q", dev.Label)
		}
	})
}
