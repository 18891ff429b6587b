package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// checkAgencyMessage: without a key 401; agency Y reading X's message (by its id) is 404 and
// changes nothing, Y answering on X's case is 422 (no such case of Y's) and changes nothing; X
// reads its message and answers.
func (row authzRoute) checkAgencyMessage(t *testing.T, w *authzWorld) {
	params := map[string]string{"externalId": w.objects[objMessage]}
	if row.method == http.MethodPut {
		params["externalId"] = "x-answer"
	}
	row.checkAgencyKey(t, w, params)
	answer := map[string]any{"caseId": w.records["cases"], "body": "Svar fra X", "version": 1}
	t.Run("agency Y names X's message or case", func(t *testing.T) {
		unchanged(t, "Y's "+row.method+" of X's message", w.wholeDigest, func() {
			if row.method == http.MethodPut {
				refused(t, do(t, w.y.c, http.MethodPut, fill(t, row.path, params), answer, nil), http.StatusUnprocessableEntity)
				return
			}
			refused(t, row.send(t, w, row.method, request{client: w.y.c, params: params}), http.StatusNotFound)
		})
	})
	t.Run("own", func(t *testing.T) {
		if row.method == http.MethodPut {
			succeeded(t, do(t, w.x.c, http.MethodPut, fill(t, row.path, map[string]string{"externalId": "own-answer"}), answer, nil))
			return
		}
		succeeded(t, row.send(t, w, row.method, request{client: w.x.c, params: params}))
	})
}

// checkSignedLink: no signature, a changed one, or another attachment's are refused (403) and
// change nothing; the link the portal signs works for anyone who holds it.
func (row authzRoute) checkSignedLink(t *testing.T, w *authzWorld) {
	id := w.objects[objAttachment]
	link := w.p.App.Messages.Links().Sign(id, w.p.Clock.Now())
	u, err := url.Parse(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	t.Run("forged", func(t *testing.T) {
		unchanged(t, "a download without a valid signature", w.wholeDigest, func() {
			for _, query := range []string{"", "expires=" + q.Get("expires"), "expires=" + q.Get("expires") + "&sig=" + strings.Repeat("A", 43),
				"expires=" + q.Get("expires") + "0&sig=" + q.Get("sig")} {
				refused(t, w.p.Anonymous(t).Get(t, row.fill(t, id)+"?"+query), http.StatusForbidden)
			}
			refused(t, w.b.c.Get(t, row.fill(t, w.objects[objCase])+"?"+u.RawQuery), http.StatusForbidden)
		})
	})
	t.Run("own", func(t *testing.T) {
		succeeded(t, w.p.Anonymous(t).Get(t, u.Path+"?"+u.RawQuery))
	})
}

func (row authzRoute) fill(t *testing.T, id string) string {
	return fill(t, row.path, map[string]string{"id": id})
}
