package devidp

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// endSession implements RP-initiated logout (GET or POST): it ends the provider session named by
// id_token_hint or, without a hint, by the provider's session cookie,
// loads every participating client's front-channel logout URI (with iss and sid) in hidden iframes,
// and then returns to post_logout_redirect_uri with state. Expired hints are accepted, as the spec
// allows; a hint not signed by this provider is ignored.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.renderError(w, http.StatusBadRequest, "Forespørselen kunne ikke leses.")
		return
	}
	var hint idClaims
	hinted := false
	if raw := r.Form.Get("id_token_hint"); raw != "" {
		if tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256}); err == nil &&
			tok.Claims(&p.key.PublicKey, &hint) == nil && hint.Issuer == p.issuer {
			hinted = true
		}
	}
	clientID := r.Form.Get("client_id")
	if hinted {
		if clientID != "" && clientID != hint.Audience {
			p.renderError(w, http.StatusBadRequest, "client_id og id_token_hint hører ikke sammen.")
			return
		}
		clientID = hint.Audience
	}
	target := r.Form.Get("post_logout_redirect_uri")
	if target != "" {
		c, ok := p.clients[clientID]
		if !ok || !slices.Contains(c.PostLogoutRedirectURIs, target) {
			p.renderError(w, http.StatusBadRequest, "Ukjent post_logout_redirect_uri.")
			return
		}
		target = withQuery(target, url.Values{"state": {r.Form.Get("state")}})
	}

	// The session to end: the hint's, else the provider's own session cookie.
	sid := hint.SID
	if !hinted {
		if ck, err := r.Cookie(sessionCookie); err == nil {
			sid = ck.Value
		}
	}
	p.setSessionCookie(w, "", -1)
	var frames []string
	if sid != "" {
		p.mu.Lock()
		s, ok := p.sessions[sid]
		delete(p.sessions, sid)
		p.mu.Unlock()
		participants := map[string]bool{}
		if ok {
			participants = s.clientID
		} else if hinted {
			participants[hint.Audience] = true
		}
		for id := range participants {
			if c := p.clients[id]; c.FrontchannelLogoutURI != "" {
				frames = append(frames, withQuery(c.FrontchannelLogoutURI, url.Values{"iss": {p.issuer}, "sid": {sid}}))
			}
		}
		slices.Sort(frames)
	}
	if len(frames) == 0 && target != "" {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	writeHTML(w, http.StatusOK)
	_ = logoutPage.Execute(w, struct {
		Frames []string
		Next   string
	}{frames, target})
}

// logoutPage lets the front-channel iframes load, then moves on by meta refresh (no script, so a
// strict Content-Security-Policy on the host server does not break it).
var logoutPage = template.Must(template.New("logout").Parse(`<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Next}}<meta http-equiv="refresh" content="1;url={{.Next}}">{{end}}
<title>Du er logget ut – testinnlogging</title></head>
<body><main>
<h1>Du er logget ut</h1>
{{range .Frames}}<iframe src="{{.}}" title="Utlogging" hidden width="0" height="0"></iframe>
{{end}}{{if .Next}}<p><a href="{{.Next}}">Gå tilbake til tjenesten</a></p>{{end}}
</main></body>
</html>
`))
