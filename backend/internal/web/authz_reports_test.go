package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/store"
)

// Access classes of the reporting service's routes.
const (
	reportSend   access = "anyone; a session's CSRF token when logged in" // POST /api/v1/reports
	reportRead   access = "reporter, follower or private link"            // GET /api/v1/reports/:id
	reportFollow access = "any session; any report"                       // following another's report is the point
	reportPhoto  access = "signed photo link"                             // the report.created webhook's photo links
	agencyReport access = "agency; reports of its own services"           // list and status
)

// Objects of the reporting service in the world: A's report (with a photo) on X's service, and
// an anonymous report with its private link's token.
const (
	objReport      objectKind = "report"
	objReportPhoto objectKind = "report photo"
	objAnonReport  objectKind = "anonymous report"
	objReportToken objectKind = "anonymous report token"
)

// addReports has X publish a service and A and an anonymous person report to it.
func (w *authzWorld) addReports(t *testing.T) {
	t.Helper()
	w.x.c.Send(t, http.MethodPut, "/api/agency/v1/report-services/x-pothole", map[string]any{
		"name": map[string]string{"nb": "Hull i veien"}, "group": "roads", "photo": "optional", "place": "optional",
		"active": true, "version": 1}).Status(t, http.StatusCreated)
	var mine struct {
		ID     string
		Photos []struct{ URL string }
	}
	postReport(t, w.a.c, "", [][2]string{{"service", "x-pothole"}, {"description", "Dypt hull"}, {"lat", "59.91"}, {"lon", "10.75"}},
		jpegBytes(t, 40, 30)).Status(t, http.StatusCreated).JSON(t, &mine)
	w.objects[objReport] = mine.ID
	u, err := url.Parse(mine.Photos[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	w.objects[objReportPhoto] = u.Path + "?" + u.RawQuery
	var anon struct{ ID, FollowToken string }
	postReport(t, w.p.Anonymous(t), "", [][2]string{{"service", "x-pothole"}, {"description", "Hull uten innlogging"}, {"address", "Storgata 1"}}).
		Status(t, http.StatusCreated).JSON(t, &anon)
	w.objects[objAnonReport], w.objects[objReportToken] = anon.ID, anon.FollowToken
}

func nearbyQuery(*testing.T, *authzWorld, *actor) (string, any) {
	return "service=x-pothole&lat=59.91&lon=10.75", nil
}

func bboxQuery(*testing.T, *authzWorld, *actor) (string, any) {
	return "bbox=10.7,59.9,10.8,59.95", nil
}

func newReportBody(t *testing.T, _ *authzWorld, _ *actor) (string, any) {
	b, ct := reportForm([][2]string{{"service", "x-pothole"}, {"description", "Nytt hull"}}).Encode(t)
	return "", multipartBody{contentType: ct, data: b}
}

func statusBody(*testing.T, *authzWorld, *actor) (string, any) {
	return "", map[string]any{"status": "received"}
}

// checkReportClasses runs the checks of the reporting service's classes; false for any other.
func (row authzRoute) checkReportClasses(t *testing.T, w *authzWorld) bool {
	switch row.access {
	case reportSend:
		row.checkReportSend(t, w)
	case reportRead:
		row.checkReportRead(t, w)
	case reportFollow:
		row.checkReportFollow(t, w)
	case reportPhoto:
		row.checkReportPhoto(t, w)
	case agencyReport:
		row.checkAgencyReport(t, w)
	default:
		return false
	}
	return true
}

// checkReportSend: anyone may report; a session is held to its CSRF token; an agency key is no
// session and reports anonymously like anyone.
func (row authzRoute) checkReportSend(t *testing.T, w *authzWorld) {
	row.checkCSRF(t, w, w.a, nil)
	t.Run("anyone", func(t *testing.T) {
		var out struct{ FollowToken string }
		r := row.send(t, w, row.method, request{})
		succeeded(t, r)
		_ = json.Unmarshal(r.Body, &out)
		if out.FollowToken == "" {
			t.Error("an anonymous report without its private link")
		}
	})
	t.Run("own", func(t *testing.T) {
		var out struct {
			FollowToken string
			Reporter    bool
		}
		r := row.send(t, w, row.method, request{who: w.a})
		succeeded(t, r)
		_ = json.Unmarshal(r.Body, &out)
		if out.FollowToken != "" || !out.Reporter {
			t.Errorf("a logged-in report: %s", r.Body)
		}
	})
}

// checkReportRead: without a session or token, as a stranger, with a wrong token, or another
// report's token it is 404 and changes nothing; the reporter and the token's holder read it.
func (row authzRoute) checkReportRead(t *testing.T, w *authzWorld) {
	own := map[string]string{"id": w.objects[objReport]}
	anon := map[string]string{"id": w.objects[objAnonReport]}
	token := w.objects[objReportToken]
	t.Run("no credentials, stranger, wrong token", func(t *testing.T) {
		unchanged(t, "reads of another's report", w.wholeDigest, func() {
			refused(t, row.send(t, w, row.method, request{params: own}), http.StatusNotFound)
			refused(t, row.send(t, w, row.method, request{who: w.b, params: own}), http.StatusNotFound)
			refused(t, row.send(t, w, row.method, request{who: w.rep, params: own}), http.StatusNotFound)
			refused(t, row.send(t, w, row.method, request{client: w.x.c, params: own}), http.StatusNotFound)
			refused(t, w.p.Anonymous(t).Get(t, row.fill(t, w.objects[objAnonReport])+"?token="+strings.ToUpper(token)), http.StatusNotFound)
			refused(t, w.p.Anonymous(t).Get(t, row.fill(t, w.objects[objReport])+"?token="+token), http.StatusNotFound)
			for _, id := range []string{store.NewID(), "not-an-id"} {
				refused(t, row.send(t, w, row.method, request{who: w.b, params: map[string]string{"id": id}}), http.StatusNotFound)
			}
		})
	})
	t.Run("own", func(t *testing.T) {
		succeeded(t, row.send(t, w, row.method, request{who: w.a, params: own}))
		succeeded(t, w.p.Anonymous(t).Get(t, fill(t, row.path, anon)+"?token="+token))
	})
}

// checkReportFollow: a session is needed (401 without, 403 without the CSRF token, nothing
// changed); anyone logged in may follow another's report, and sees no more of its reporter.
func (row authzRoute) checkReportFollow(t *testing.T, w *authzWorld) {
	params := map[string]string{"id": w.objects[objReport]}
	row.checkNoCredentials(t, w, params)
	row.checkCSRF(t, w, w.b, params)
	t.Run("a missing report", func(t *testing.T) {
		unchanged(t, "following nothing", w.wholeDigest, func() {
			refused(t, row.send(t, w, row.method, request{who: w.b, params: map[string]string{"id": store.NewID()}}), http.StatusNotFound)
		})
	})
	t.Run("another's report", func(t *testing.T) {
		r := row.send(t, w, row.method, request{who: w.b, params: params})
		succeeded(t, r)
		holdsNone(t, r, "B following A's report: A's", []string{w.a.person.ID, aName, w.a.pid})
	})
}

// checkReportPhoto: without a signature, with a changed one, or another photo's, 403 and nothing
// changed; the link the portal signed works for whoever holds it.
func (row authzRoute) checkReportPhoto(t *testing.T, w *authzWorld) {
	link := w.objects[objReportPhoto]
	path, query, _ := strings.Cut(link, "?")
	t.Run("forged", func(t *testing.T) {
		unchanged(t, "a photo without a valid signature", w.wholeDigest, func() {
			refused(t, w.p.Anonymous(t).Get(t, path), http.StatusForbidden)
			refused(t, w.p.Anonymous(t).Get(t, path+"?"+strings.Replace(query, "sig=", "sig=A", 1)), http.StatusForbidden)
			refused(t, w.p.Anonymous(t).Get(t, row.fill(t, w.objects[objAttachment])+"?"+query), http.StatusForbidden)
		})
	})
	t.Run("own", func(t *testing.T) { succeeded(t, w.p.Anonymous(t).Get(t, link)) })
}

// checkAgencyReport: without a key 401; agency Y sees none of X's reports and cannot set their
// status (404, nothing changed); X lists and sets them. The status is set on the anonymous report:
// A's would push to A's device, which this world's outbox cannot reach.
func (row authzRoute) checkAgencyReport(t *testing.T, w *authzWorld) {
	params := map[string]string{"id": w.objects[objAnonReport]}
	row.checkAgencyKey(t, w, params)
	listed := func(t *testing.T, r *recordsOf) []string {
		var ids []string
		for _, rep := range r.Reports {
			ids = append(ids, rep.ID)
		}
		return ids
	}
	if row.method == http.MethodGet {
		t.Run("agency Y lists none of X's", func(t *testing.T) {
			var page recordsOf
			r := row.send(t, w, row.method, request{client: w.y.c})
			succeeded(t, r)
			_ = json.Unmarshal(r.Body, &page)
			if slices.Contains(listed(t, &page), w.objects[objReport]) {
				t.Error("Y lists X's report")
			}
		})
		t.Run("own", func(t *testing.T) {
			var page recordsOf
			r := row.send(t, w, row.method, request{client: w.x.c})
			succeeded(t, r)
			_ = json.Unmarshal(r.Body, &page)
			if !slices.Contains(listed(t, &page), w.objects[objReport]) {
				t.Error("X does not list its report")
			}
			holdsNone(t, r, "an agency's list of reports: the reporter's", []string{w.a.person.ID, aName, w.a.pid})
		})
		return
	}
	t.Run("agency Y names X's report", func(t *testing.T) {
		unchanged(t, "Y's status of X's report", w.wholeDigest, func() {
			refused(t, row.send(t, w, row.method, request{client: w.y.c, params: params}), http.StatusNotFound)
		})
	})
	t.Run("own", func(t *testing.T) { succeeded(t, row.send(t, w, row.method, request{client: w.x.c, params: params})) })
}

type recordsOf struct {
	Reports []struct{ ID string }
}
