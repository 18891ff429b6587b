package web_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/push/pushtest"
)

// access is who may call a route, and so which refusals the table proves for it.
type access string

const (
	public        access = "public"                    // anyone, no credential
	operator      access = "operator"                  // health and metrics: no credential in the app; the deployment keeps them internal
	devOnly       access = "dev only"                  // the dev identity provider, mounted only in dev mode
	secretLink    access = "secret link"               // the URL holds the secret (the calendar feed)
	citizenSelf   access = "citizen-self"              // the session's own data; no object id
	citizenObject access = "citizen-with-object-id"    // the session's data, named by an id in the path or body
	agencyRecord  access = "agency-with-externalId"    // an agency key; the agency's own record
	agencyBulk    access = "agency bulk"               // an agency key; many records in one body
	agencyList    access = "agency list"               // an agency key; the agency's own records of a kind
	agencySelf    access = "agency-self"               // an agency key; the agency's own settings (webhook ping)
	agencyMessage access = "agency message"            // an agency key; a message on one of the agency's cases
	signedLink    access = "signed link"               // the URL's signature and expiry are the credential (attachment downloads)
	editor        access = "editor (per agency slug)"  // a session with agency_editor:<slug>
	translator    access = "translator (per language)" // a session with translator:<lang>
)

// authzRoute is one row: a route as the app registers it, its access class and what the checks
// need to send a real request. Every route of the app must have a row (TestAuthorizationOverEveryRoute
// fails naming a route without one, and a row whose route is gone).
type authzRoute struct {
	method string // "*" for a route registered with app.All
	path   string // the pattern as registered
	access access
	object objectKind        // citizen-with-object-id: what the id names (always A's)
	params map[string]string // path parameters the class does not fill
	fresh  bool              // the route ends a session or an account: use new people for it
	live   bool              // an event stream: also check who hears of a new object
	// prepare gives the query and body for a request made as who (A when no one is logged in).
	prepare func(t *testing.T, w *authzWorld, who *actor) (query string, body any)
}

// authzRoutes is the whole surface. Adding a route? Add its row: one line.
var authzRoutes = []authzRoute{
	{method: "GET", path: "/healthz", access: operator},
	{method: "GET", path: "/readyz", access: operator},
	{method: "GET", path: "/metrics", access: operator},
	{method: "GET", path: "/api/v1/config", access: public},
	{method: "GET", path: "/api/v1/i18n/:lang", access: public, params: map[string]string{"lang": "nb"}},
	{method: "GET", path: "/api/v1/push/vapid-public-key", access: public},
	{method: "GET", path: "/api/agency/v1/openapi.json", access: public},
	{method: "GET", path: "/auth/login", access: public},
	{method: "GET", path: "/auth/callback", access: public},
	{method: "GET", path: "/auth/frontchannel-logout", access: public, prepare: frontchannelQuery},
	{method: "*", path: "/dev-idp/*", access: devOnly, params: map[string]string{"*": ".well-known/openid-configuration"}},
	{method: "GET", path: "/*", access: public, params: map[string]string{"*": "cases/deep-link"}},
	{method: "GET", path: "/calendar/:file", access: secretLink},
	{method: "GET", path: "/api/v1/report-services", access: public},
	{method: "GET", path: "/api/v1/reports/nearby", access: public, prepare: nearbyQuery}, // open reports nearby, no personal data
	{method: "GET", path: "/api/v1/public/reports", access: public, prepare: bboxQuery},
	{method: "GET", path: "/open311/v2/discovery.:format", access: public, params: open311JSON},
	{method: "GET", path: "/open311/v2/services.:format", access: public, params: open311JSON},
	{method: "GET", path: "/open311/v2/services/:code.:format", access: public, params: map[string]string{"code": "x-pothole", "format": "json"}},
	{method: "GET", path: "/open311/v2/requests.:format", access: public, params: open311JSON},
	{method: "GET", path: "/open311/v2/requests/:id.:format", access: open311Read, params: open311JSON},
	{method: "GET", path: "/open311/v2/tokens/:token.:format", access: open311Read, params: open311JSON},
	{method: "POST", path: "/open311/v2/requests.:format", access: open311Submit, params: open311JSON, prepare: open311Form},
	{method: "POST", path: "/api/v1/reports", access: reportSend, prepare: newReportBody},
	{method: "GET", path: "/api/v1/reports/:id", access: reportRead},
	{method: "GET", path: "/files/v1/report-photos/:id", access: reportPhoto},
	{method: "GET", path: "/api/v1/me/reports", access: citizenSelf},
	{method: "POST", path: "/api/v1/reports/:id/follow", access: reportFollow},

	{method: "POST", path: "/auth/logout", access: citizenSelf, fresh: true},
	{method: "GET", path: "/api/v1/me", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/representation", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/messages", access: citizenSelf},
	{method: "PUT", path: "/api/v1/me/acting-as", access: citizenObject, object: objPerson, prepare: actingAsBody},
	{method: "GET", path: "/api/v1/me/overview", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/preferences", access: citizenSelf},
	{method: "PUT", path: "/api/v1/me/preferences", access: citizenSelf, prepare: ownPreferences},
	{method: "GET", path: "/api/v1/me/deliveries", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/calendar", access: citizenSelf},
	{method: "POST", path: "/api/v1/me/calendar", access: citizenSelf},
	{method: "DELETE", path: "/api/v1/me/calendar", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/export", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/export.html", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/access-log", access: citizenSelf},
	{method: "DELETE", path: "/api/v1/me", access: citizenSelf, fresh: true, prepare: confirmClose},
	{method: "POST", path: "/api/v1/push/subscriptions", access: citizenSelf, prepare: newSubscription},
	{method: "GET", path: "/api/v1/push/subscriptions", access: citizenSelf},
	{method: "DELETE", path: "/api/v1/push/subscriptions/:id", access: citizenObject, object: objPushDevice},
	{method: "GET", path: "/api/v1/cases", access: citizenSelf},
	{method: "GET", path: "/api/v1/cases/:id", access: citizenObject, object: objCase},
	{method: "GET", path: "/api/v1/tasks/:id", access: citizenObject, object: objTask},
	{method: "GET", path: "/api/v1/cases/:id/messages", access: citizenObject, object: objCase},
	{method: "POST", path: "/api/v1/cases/:id/messages", access: citizenObject, object: objCase, prepare: messageBody},
	{method: "GET", path: "/api/v1/attachments/:id", access: citizenObject, object: objAttachment},
	{method: "GET", path: "/files/v1/attachments/:id", access: signedLink},
	{method: "GET", path: "/api/v1/me/errands/:id", access: citizenObject, object: objErrand},
	{method: "GET", path: "/api/v1/me/errands/:id/messages", access: citizenObject, object: objErrand},
	{method: "POST", path: "/api/v1/me/errands/:id/messages", access: citizenObject, object: objErrand, prepare: messageBody},
	{method: "GET", path: "/api/v1/ideas", access: citizenSelf},
	{method: "POST", path: "/api/v1/ideas", access: citizenSelf, prepare: ideaBody},
	{method: "GET", path: "/api/v1/me/ideas", access: citizenSelf},
	{method: "GET", path: "/api/v1/ideas/:id", access: citizenIdea},
	{method: "GET", path: "/api/v1/ideas/:id/photo", access: citizenIdea},
	{method: "PUT", path: "/api/v1/ideas/:id/support", access: citizenIdea},
	{method: "DELETE", path: "/api/v1/ideas/:id/support", access: citizenIdea},
	{method: "GET", path: "/api/v1/bookings", access: citizenSelf},
	{method: "POST", path: "/api/v1/bookings/:id/cancel", access: citizenObject, object: objBooking},
	{method: "GET", path: "/api/v1/keys", access: citizenSelf},
	{method: "POST", path: "/api/v1/keys/:id/open", access: citizenObject, object: objKey, prepare: doorBody},
	{method: "GET", path: "/api/v1/keys/:id/uses", access: citizenObject, object: objKey},
	{method: "GET", path: "/api/v1/notifications", access: citizenSelf},
	{method: "POST", path: "/api/v1/notifications/:id/read", access: citizenObject, object: objNotification},
	{method: "POST", path: "/api/v1/tasks/:id/seen", access: citizenObject, object: objTask},
	{method: "POST", path: "/api/v1/documents/:id/acknowledge", access: citizenObject, object: objDocument},
	{method: "POST", path: "/api/v1/notifications/read-all", access: citizenSelf},
	{method: "GET", path: "/api/v1/tiles", access: citizenSelf},
	{method: "GET", path: "/api/v1/me/suggestions", access: citizenSelf},
	{method: "POST", path: "/api/v1/me/suggestions/shown", access: citizenSelf, prepare: shownBody},
	{method: "POST", path: "/api/v1/me/suggestions/:id/dismiss", access: citizenObject, object: objSuggestion},
	{method: "POST", path: "/api/v1/me/suggestions/:id/snooze", access: citizenObject, object: objSuggestion, prepare: snoozeBody},
	{method: "POST", path: "/api/v1/me/suggestions/:id/done", access: citizenObject, object: objSuggestion},
	{method: "POST", path: "/api/v1/me/suggestions/:id/act", access: citizenObject, object: objSuggestion},
	{method: "GET", path: "/api/v1/search", access: citizenSelf, prepare: searchQuery},
	{method: "GET", path: "/api/v1/changes", access: citizenSelf, prepare: changesCursor},
	{method: "GET", path: "/api/v1/events", access: citizenSelf, live: true},

	{method: "GET", path: "/api/v1/console/agencies", access: citizenSelf},
	{method: "GET", path: "/api/v1/console/districts", access: citizenSelf}, // public knowledge: the city's districts
	{method: "GET", path: "/api/v1/console/:slug/tiles", access: editor},
	{method: "POST", path: "/api/v1/console/:slug/tiles", access: editor, prepare: newTileBody},
	{method: "POST", path: "/api/v1/console/:slug/tiles/preview", access: editor, prepare: previewBody},
	{method: "PUT", path: "/api/v1/console/:slug/tiles/:id", access: editor, prepare: editTileBody},
	{method: "POST", path: "/api/v1/console/:slug/tiles/:id/publish", access: editor},
	{method: "POST", path: "/api/v1/console/:slug/tiles/:id/unpublish", access: editor},
	{method: "POST", path: "/api/v1/console/:slug/notices", access: editor, prepare: dryRunNotice},
	{method: "GET", path: "/api/v1/console/:slug/rules", access: editor},
	{method: "POST", path: "/api/v1/console/:slug/rules", access: editor, prepare: newRuleBody},
	{method: "POST", path: "/api/v1/console/:slug/rules/check", access: editor, prepare: ruleExpressions},
	{method: "POST", path: "/api/v1/console/:slug/rules/preview", access: editor, prepare: ruleExpressions},
	{method: "PUT", path: "/api/v1/console/:slug/rules/:id", access: editor, prepare: editRuleBody},
	{method: "POST", path: "/api/v1/console/:slug/rules/:id/publish", access: editor},
	{method: "POST", path: "/api/v1/console/:slug/rules/:id/unpublish", access: editor},
	{method: "GET", path: "/api/v1/console/:slug/rules/:id/stats", access: editor},

	{method: "GET", path: "/api/v1/translate/languages", access: translator},
	{method: "GET", path: "/api/v1/translate/:lang/messages", access: translator},
	{method: "PUT", path: "/api/v1/translate/:lang/messages/:id", access: translator, prepare: translationBody},
	{method: "GET", path: "/api/v1/translate/:lang/export", access: translator},
	{method: "GET", path: "/api/v1/translate/:lang/history", access: translator},

	{method: "POST", path: "/api/agency/v1/bulk", access: agencyBulk},
	{method: "GET", path: "/api/agency/v1/:kind", access: agencyList},
	{method: "GET", path: "/api/agency/v1/reports", access: agencyReport},
	{method: "PUT", path: "/api/agency/v1/reports/:id/status", access: agencyReport, prepare: statusBody},
	{method: "POST", path: "/api/agency/v1/webhook/ping", access: agencySelf},
	{method: "PUT", path: "/api/agency/v1/messages/:externalId", access: agencyMessage},
	{method: "GET", path: "/api/agency/v1/messages/:externalId", access: agencyMessage},
	{method: "GET", path: "/api/agency/v1/ideas", access: agencyIdeas},
	{method: "GET", path: "/api/agency/v1/ideas/:id", access: agencyIdeas},
	{method: "GET", path: "/api/agency/v1/ideas/:id/photo", access: agencyIdeas},
	{method: "PUT", path: "/api/agency/v1/ideas/:id/status", access: agencyIdeas},
	{method: "PUT", path: "/api/agency/v1/ideas/:id/hidden", access: agencyIdeas},
	{method: "PUT", path: "/api/agency/v1/:kind/:externalId", access: agencyRecord},
	{method: "GET", path: "/api/agency/v1/:kind/:externalId", access: agencyRecord},
	{method: "DELETE", path: "/api/agency/v1/:kind/:externalId", access: agencyRecord},
}

// multipartBody is a request body sent as it is, with its own content type.
type multipartBody struct {
	contentType string
	data        []byte
}

func messageBody(t *testing.T, _ *authzWorld, _ *actor) (string, any) {
	b, ct := messageForm("Et spørsmål om saken", [2]string{"notat.pdf", "%PDF-1.7\nnotat\n"}).Encode(t)
	return "", multipartBody{contentType: ct, data: b}
}

func frontchannelQuery(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "iss=" + w.p.URL + "/dev-idp&sid=no-such-session", nil
}

func actingAsBody(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", map[string]any{"citizenId": w.a.person.ID}
}

func ownPreferences(t *testing.T, _ *authzWorld, who *actor) (string, any) {
	return "", json.RawMessage(who.c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).Body)
}

func confirmClose(*testing.T, *authzWorld, *actor) (string, any) {
	return "", map[string]any{"confirm": true}
}

func newSubscription(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", json.RawMessage(pushtest.BrowserJSON(w.push.NewSubscriber()))
}

func doorBody(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", map[string]any{"accessPointId": w.access}
}

// shownBody reports A's suggestion as shown: only A's own report may mark it.
func shownBody(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", map[string]any{"ids": []string{w.objects[objSuggestion]}}
}

func snoozeBody(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", map[string]any{"until": w.p.Clock.Now().Add(24 * time.Hour).Format(time.RFC3339)}
}

// searchQuery looks for a word in every title of A's: only A's answer may hold them.
func searchQuery(*testing.T, *authzWorld, *actor) (string, any) { return "q=Aalesund", nil }

// changesCursor starts the feed before A's objects were written, so it would carry them all.
func changesCursor(t *testing.T, w *authzWorld, who *actor) (string, any) {
	if c, ok := w.cursors[who]; ok {
		return "cursor=" + c, nil
	}
	return "cursor=" + w.overviewCursor(t, who), nil
}

func newTileBody(*testing.T, *authzWorld, *actor) (string, any) {
	return "", map[string]any{"title": map[string]string{"nb": "Ny flis"}, "link": "https://kommune.example.no/ny", "icon": "book"}
}

func previewBody(t *testing.T, w *authzWorld, who *actor) (string, any) {
	_, tile := newTileBody(t, w, who)
	return "", map[string]any{"tile": tile, "lang": "nb"}
}

func editTileBody(t *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", map[string]any{"title": map[string]string{"nb": "Flis X endret"}, "link": "https://kommune.example.no/flis",
		"icon": "book", "version": w.tileVersion(t, w.tileX)}
}

func newRuleBody(*testing.T, *authzWorld, *actor) (string, any) {
	rec := ruleRec("Ny regel")
	delete(rec, "status")
	delete(rec, "version")
	return "", rec
}

func ruleExpressions(*testing.T, *authzWorld, *actor) (string, any) {
	return "", map[string]any{"appliesTo": "person", "condition": "person.age >= 67", "why": map[string]string{"nb": "fordi du er {person.age} år"}}
}

func editRuleBody(t *testing.T, w *authzWorld, _ *actor) (string, any) {
	rec := ruleRec("Regel X endret")
	delete(rec, "status")
	rec["version"] = w.ruleVersion(t, w.ruleX)
	return "", rec
}

func dryRunNotice(*testing.T, *authzWorld, *actor) (string, any) {
	return "", map[string]any{"title": map[string]string{"nb": "Stengt i dag"}, "body": map[string]string{"nb": "Vi har stengt."},
		"category": "general", "dryRun": true}
}

func translationBody(*testing.T, *authzWorld, *actor) (string, any) {
	return "", map[string]any{"forms": map[string]string{"other": "Oversyn"}}
}

// TestAuthorizationOverEveryRoute sends real requests to every route of the app, one row of
// authzRoutes each, on one portal per engine: without credentials, with someone else's (B asking
// for A's objects, agency Y for X's records, the editor of X in Y's console, the translator of nn
// in en, R acting for A outside the fullmakt), without the CSRF token, and as the owner.
func TestAuthorizationOverEveryRoute(t *testing.T) {
	t.Parallel()
	push := pushtest.NewServer(t)
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		rows := routeRows(t, p.App.Server.App())
		w := newAuthzWorld(t, p, push)
		counts := map[access]int{}
		for _, row := range rows {
			counts[row.access]++
			t.Run(row.method+" "+row.path, func(t *testing.T) { row.check(t, w) })
		}
		t.Logf("routes checked: %d %v", len(rows), counts)
	}, apptest.WithConfig(func(c *config.Config) { c.PushAllowedHosts = push.AllowEntry() }))
}

// routeRows matches the app's routes with the table: a route without a row, or a row without a
// route, fails the test with what to do. GET routes also answer HEAD; their row covers both.
func routeRows(t *testing.T, app *fiber.App) []authzRoute {
	t.Helper()
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		registered[r.Method+" "+r.Path] = true
	}
	rowFor := func(method, path string) int {
		return slices.IndexFunc(authzRoutes, func(r authzRoute) bool {
			return r.path == path && (r.method == method || r.method == "*")
		})
	}
	var missing []string
	for key := range registered {
		method, path, _ := strings.Cut(key, " ")
		if method == http.MethodHead && registered[http.MethodGet+" "+path] {
			continue
		}
		if rowFor(method, path) < 0 {
			missing = append(missing, key)
		}
	}
	slices.Sort(missing)
	for _, key := range missing {
		t.Errorf("route %s has no row in authzRoutes (authz_table_test.go): add one line with its access class, "+
			"e.g. {method: %q, path: %q, access: citizenObject, object: objCase}; a route that names an object needs its foreign-object case",
			key, strings.Split(key, " ")[0], strings.SplitN(key, " ", 2)[1])
	}
	seen := map[string]bool{}
	for _, row := range authzRoutes {
		key := row.method + " " + row.path
		if seen[key] {
			t.Errorf("route %s has two rows in authzRoutes", key)
		}
		seen[key] = true
		found := registered[key]
		if row.method == "*" {
			for r := range registered {
				found = found || strings.HasSuffix(r, " "+row.path)
			}
		}
		if !found {
			t.Errorf("authzRoutes has a row for %s, which the app no longer registers: remove the row", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return authzRoutes
}
