package devidp

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"minside/backend/internal/auth"
	"minside/backend/internal/pid"
)

// authRequest is a validated authorization request. It travels as hidden fields from the login
// page to its POST, where it is validated again (the browser may have changed it).
type authRequest struct {
	ClientID, RedirectURI, State, Nonce, CodeChallenge, Scope, ACR string
}

// hidden returns the request as form fields, in the names of the authorization request.
func (a authRequest) hidden() [][2]string {
	return [][2]string{
		{"client_id", a.ClientID}, {"redirect_uri", a.RedirectURI}, {"response_type", "code"},
		{"scope", a.Scope}, {"state", a.State}, {"nonce", a.Nonce}, {"code_challenge", a.CodeChallenge},
		{"code_challenge_method", "S256"}, {"acr_values", a.ACR},
	}
}

// parseAuthRequest checks an authorization request. A bad client or redirect URI cannot be sent
// back to the client (that would be an open redirect), so fatal is set and the user sees an error
// page; other errors are redirected to the client as error=... with the state.
func (p *Provider) parseAuthRequest(v url.Values) (req authRequest, oauthErr string, fatal bool) {
	req = authRequest{
		ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"),
		Nonce: v.Get("nonce"), CodeChallenge: v.Get("code_challenge"), Scope: v.Get("scope"),
	}
	c, ok := p.clients[req.ClientID]
	if !ok || !slices.Contains(c.RedirectURIs, req.RedirectURI) {
		return req, "invalid_request", true
	}
	switch {
	case v.Get("response_type") != "code":
		return req, "unsupported_response_type", false
	case !slices.Contains(strings.Fields(req.Scope), "openid"):
		return req, "invalid_scope", false
	case req.State == "":
		return req, "invalid_request", false
	case v.Get("code_challenge_method") != "S256" || len(req.CodeChallenge) != 43:
		return req, "invalid_request", false // PKCE S256 is required, as ID-porten does
	}
	// acr_values is a space-separated preference list; take the highest level we know.
	req.ACR = auth.ACRSubstantial
	for _, a := range strings.Fields(v.Get("acr_values")) {
		if auth.ACRKnown(a) && auth.ACRSatisfies(a, req.ACR) {
			req.ACR = a
		}
	}
	return req, "", false
}

// redirectError sends an OAuth error back to the client.
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code string) {
	http.Redirect(w, r, withQuery(req.RedirectURI, url.Values{
		"error": {code}, "state": {req.State}, "iss": {p.issuer},
	}), http.StatusSeeOther)
}

// withQuery adds params to a URL that may already carry a query.
func withQuery(base string, params url.Values) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Add(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (p *Provider) authorizePage(w http.ResponseWriter, r *http.Request) {
	req, oauthErr, fatal := p.parseAuthRequest(r.URL.Query())
	if fatal {
		p.renderError(w, http.StatusBadRequest, "Ukjent klient eller ugyldig redirect_uri.")
		return
	}
	if oauthErr != "" {
		p.redirectError(w, r, req, oauthErr)
		return
	}
	p.renderLogin(w, r, http.StatusOK, req, "", "")
}

func (p *Provider) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.renderError(w, http.StatusBadRequest, "Skjemaet kunne ikke leses.")
		return
	}
	req, oauthErr, fatal := p.parseAuthRequest(r.PostForm)
	if fatal {
		p.renderError(w, http.StatusBadRequest, "Ukjent klient eller ugyldig redirect_uri.")
		return
	}
	if oauthErr != "" {
		p.redirectError(w, r, req, oauthErr)
		return
	}
	if r.PostForm.Get("cancel") != "" {
		p.redirectError(w, r, req, "access_denied")
		return
	}
	raw := r.PostForm.Get("pid")
	number, err := pid.Parse(raw, pid.Options{AllowSynthetic: true})
	if err != nil {
		p.renderLogin(w, r, http.StatusUnprocessableEntity, req, raw,
			"Dette er ikke et gyldig fødselsnummer eller D-nummer. Sjekk de 11 sifrene.")
		return
	}
	acr := req.ACR
	if chosen := r.PostForm.Get("acr"); auth.ACRKnown(chosen) {
		acr = chosen // the tester may log in at another level than requested, to try step-up refusals
	}
	now := p.now()
	code, sid := randomToken(), randomToken()
	p.mu.Lock()
	p.sweep(now)
	p.sessions[sid] = session{pid: number.Digits(), created: now, clientID: map[string]bool{}}
	p.codes[code] = grant{
		clientID: req.ClientID, redirectURI: req.RedirectURI, codeChallenge: req.CodeChallenge,
		nonce: req.Nonce, pid: number.Digits(), acr: acr, sid: sid,
		authTime: now, expires: now.Add(p.codeTTL),
	}
	p.mu.Unlock()
	p.setSessionCookie(w, sid, int(sessionLifetime/time.Second))
	http.Redirect(w, r, withQuery(req.RedirectURI, url.Values{
		"code": {code}, "state": {req.State}, "iss": {p.issuer},
	}), http.StatusSeeOther)
}

type personView struct{ Name, PID, Masked string }

type loginView struct {
	Action  string
	Hidden  [][2]string
	ACR     string
	Levels  [][2]string // value, label
	People  []personView
	Entered string
	Error   string
}

func (p *Provider) renderLogin(w http.ResponseWriter, r *http.Request, status int, req authRequest, entered, msg string) {
	v := loginView{
		Action: p.issuer + "/authorize", Hidden: req.hidden(), ACR: req.ACR, Entered: entered, Error: msg,
		Levels: [][2]string{{auth.ACRSubstantial, "Betydelig (MinID)"}, {auth.ACRHigh, "Høyt (BankID)"}},
	}
	if p.people != nil {
		for _, person := range p.people(r.Context()) {
			v.People = append(v.People, personView{Name: person.Name, PID: person.PID, Masked: pid.Mask(person.PID)})
		}
	}
	writeHTML(w, status)
	_ = loginPage.Execute(w, v)
}

func (p *Provider) renderError(w http.ResponseWriter, status int, msg string) {
	writeHTML(w, status)
	_ = messagePage.Execute(w, map[string]string{"Title": "Innloggingen kan ikke fortsette", "Message": msg})
}

func writeHTML(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Testinnlogging – Min side</title></head>
<body>
<main>
<h1>Testinnlogging</h1>
<p>Dette er en innloggingstjeneste for utvikling og test. Bruk aldri ekte fødselsnumre her.</p>
{{if .People}}
<h2 id="people-heading">Logg inn som en testperson</h2>
<ul aria-labelledby="people-heading">
{{range .People}}<li><form method="post" action="{{$.Action}}">
{{range $.Hidden}}<input type="hidden" name="{{index . 0}}" value="{{index . 1}}">
{{end}}<input type="hidden" name="pid" value="{{.PID}}"><input type="hidden" name="acr" value="{{$.ACR}}">
<button type="submit">{{.Name}} <span>({{.Masked}})</span></button>
</form></li>
{{end}}</ul>
{{end}}
<h2>Logg inn med fødselsnummer</h2>
<form method="post" action="{{.Action}}" novalidate>
{{range .Hidden}}<input type="hidden" name="{{index . 0}}" value="{{index . 1}}">
{{end}}<p><label for="pid">Fødselsnummer eller D-nummer (11 siffer)</label><br>
<input id="pid" name="pid" type="text" inputmode="numeric" autocomplete="off" maxlength="11" required
 value="{{.Entered}}"{{if .Error}} aria-invalid="true" aria-describedby="pid-error"{{end}}></p>
{{if .Error}}<p id="pid-error" role="alert">{{.Error}}</p>{{end}}
<fieldset><legend>Sikkerhetsnivå</legend>
{{range .Levels}}<label><input type="radio" name="acr" value="{{index . 0}}"{{if eq (index . 0) $.ACR}} checked{{end}}> {{index . 1}}</label><br>
{{end}}</fieldset>
<p><button type="submit">Logg inn</button> <button type="submit" name="cancel" value="1" formnovalidate>Avbryt</button></p>
</form>
</main>
</body>
</html>
`))

var messagePage = template.Must(template.New("message").Parse(`<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p></main></body>
</html>
`))

// sessionCookie names the provider's own SSO session, so end-session works without id_token_hint.
const sessionCookie = "devidp_sid"

func (p *Provider) setSessionCookie(w http.ResponseWriter, sid string, maxAge int) {
	path := p.prefix
	if path == "" {
		path = "/"
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(p.issuer, "https:"), SameSite: http.SameSiteLaxMode})
}
