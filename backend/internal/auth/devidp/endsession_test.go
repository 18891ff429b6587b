package devidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loginAs signs in through the provider as client minside and returns the ID token and cookie.
func loginAs(t *testing.T, p *Provider) (string, *http.Cookie) {
	t.Helper()
	code, ck := signIn(t, p, withPID(authParams("minside", callback), karisPID, ""))
	w := redeem(p, tokenForm(code), true)
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 200 {
		t.Fatalf("token = %d %s", w.Code, w.Body)
	}
	return body["id_token"].(string), ck
}

var iframeSrc = `<iframe src="` + frontLogout + `?iss=`

func TestEndSessionWithHintRunsFrontChannelLogout(t *testing.T) {
	c := &clock{time.Now()}
	p := newProvider(t, c)
	idToken, _ := loginAs(t, p)
	c.t = c.t.Add(time.Hour) // an expired hint still names the session
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		form := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {afterLogout}, "state": {"bye"}}
		var w = serve(p, http.MethodPost, issuer+"/endsession", form, nil)
		if method == http.MethodGet {
			w = serve(p, http.MethodGet, issuer+"/endsession?"+form.Encode(), nil, nil)
		}
		body := w.Body.String()
		if method == http.MethodPost {
			// First logout: the session existed, so the client's front-channel URI is loaded.
			if w.Code != 200 || !strings.Contains(body, iframeSrc) || !strings.Contains(body, "sid=") {
				t.Fatalf("end-session page = %d %s", w.Code, body)
			}
			if !strings.Contains(body, `<meta http-equiv="refresh" content="1;url=`+afterLogout+`?state=bye">`) {
				t.Errorf("no redirect back with state in %s", body)
			}
			continue
		}
		// Second logout of the same session: the session is gone, but the hinted client is still told.
		if w.Code != 200 || !strings.Contains(body, iframeSrc) {
			t.Fatalf("second end-session = %d %s", w.Code, body)
		}
	}
}

func TestEndSessionByCookie(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	_, ck := loginAs(t, p)
	if ck == nil || !ck.HttpOnly || ck.Path != "/dev-idp" {
		t.Fatalf("session cookie = %+v", ck)
	}
	q := url.Values{"client_id": {"minside"}, "post_logout_redirect_uri": {afterLogout}, "state": {"s"}}
	w := serve(p, http.MethodGet, issuer+"/endsession?"+q.Encode(), nil, func(r *http.Request) { r.AddCookie(ck) })
	if w.Code != 200 || !strings.Contains(w.Body.String(), iframeSrc) {
		t.Fatalf("end-session by cookie = %d %s", w.Code, w.Body)
	}
	// The provider session is gone: logging out again has nobody to notify and redirects at once.
	w = serve(p, http.MethodGet, issuer+"/endsession?"+q.Encode(), nil, func(r *http.Request) { r.AddCookie(ck) })
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != afterLogout+"?state=s" {
		t.Fatalf("second end-session = %d %s", w.Code, w.Header().Get("Location"))
	}
}

func TestEndSessionRefusals(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	idToken, _ := loginAs(t, p)
	tests := []struct {
		name string
		q    url.Values
	}{
		{"unregistered post-logout URI", url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"http://evil.test/"}}},
		{"another client's post-logout URI", url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"http://other.test/"}}},
		{"client_id contradicts the hint", url.Values{"id_token_hint": {idToken}, "client_id": {"other"}}},
		{"no client named", url.Values{"post_logout_redirect_uri": {afterLogout}}},
		{"forged hint is ignored", url.Values{"id_token_hint": {idToken[:len(idToken)-4] + "AAAA"}, "post_logout_redirect_uri": {afterLogout}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(p, http.MethodGet, issuer+"/endsession?"+tt.q.Encode(), nil, nil)
			if w.Code != http.StatusBadRequest || w.Header().Get("Location") != "" {
				t.Fatalf("= %d %s", w.Code, w.Header().Get("Location"))
			}
		})
	}
}

func TestEndSessionWithoutFrontChannelRedirects(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	q := url.Values{"client_id": {"other"}, "post_logout_redirect_uri": {"http://other.test/"}, "state": {"x"}}
	w := serve(p, http.MethodGet, issuer+"/endsession?"+q.Encode(), nil, nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "http://other.test/?state=x" {
		t.Fatalf("= %d %s", w.Code, w.Header().Get("Location"))
	}
}
