package web

import (
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/apperr"
	"minside/backend/internal/open311"
	"minside/backend/internal/ratelimit"
)

// Open311 GeoReport v2 (docs/open311.md): the format layer is package open311, the services and
// requests are Deps.Open311's. Every answer under /open311, errors included, is in Open311's
// own format (writeOpen311Error), never problem+json.
const open311Prefix = "/open311/v2"

// open311Routes mounts the GeoReport v2 endpoints when a backend is configured.
func (s *Server) open311Routes() {
	if s.deps.Open311 == nil {
		return
	}
	g := s.app.Group(open311Prefix, s.open311Public)
	g.Get("/discovery.:format", s.open311Discovery)
	g.Get("/services.:format", s.open311Services)
	g.Get("/services/:code.:format", s.open311Definition)
	g.Get("/requests.:format", s.open311Requests)
	g.Post("/requests.:format", s.open311Create)
	g.Get("/requests/:id.:format", s.open311Request)
	g.Get("/tokens/:token.:format", s.open311Token)
}

// open311Public lets web apps on any origin read the GET answers (they are public by design);
// a POST gets no CORS header, so a page elsewhere cannot read what submitting with a key answers.
func (s *Server) open311Public(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	}
	return c.Next()
}

// open311FormatOf is the format named by the URL's extension; an unknown one is not found.
func open311FormatOf(c *fiber.Ctx) (open311.Format, error) {
	f, ok := open311.ParseFormat(c.Params("format"))
	if !ok {
		return "", apperr.NotFound()
	}
	return f, nil
}

// open311Param is a path parameter, unescaped and copied (the request's bytes are reused).
func open311Param(c *fiber.Ctx, name string) string {
	v := utils.CopyString(c.Params(name))
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// open311Send answers a rendered document. GET answers may be cached briefly by anyone: they
// hold nothing personal, and names follow the reader's language.
func (s *Server) open311Send(c *fiber.Ctx, f open311.Format, body []byte, err error) error {
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentLanguage, languageOf(c))
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		c.Set(fiber.HeaderCacheControl, "public, max-age=60")
		c.Vary(fiber.HeaderAcceptLanguage)
	} else {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Send(body)
}

// open311Discovery answers GET discovery.{format} (Open311 Service Discovery, where FixMyStreet
// serves it too): this endpoint, its formats, and how to get a key. A dev portal calls itself test.
func (s *Server) open311Discovery(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.deps.Config.BaseURL, "/")
	kind := "production"
	if s.deps.Config.Dev() {
		kind = "test"
	}
	d := open311.Discovery{
		Changeset:  open311.Changeset,
		Contact:    base,
		KeyService: s.deps.Translator.Translate(languageOf(c), "open311.discovery.key_service", nil),
		Endpoints: []open311.Endpoint{{Specification: open311.Specification, URL: base + open311Prefix,
			Changeset: open311.Changeset, Type: kind, Formats: []string{"application/json", "text/xml"}}},
	}
	body, err := open311.MarshalDiscovery(f, d)
	return s.open311Send(c, f, body, err)
}

// open311Services answers GET services.{format}.
func (s *Server) open311Services(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	services, err := s.deps.Open311.Services(c.UserContext(), languageOf(c))
	if err != nil {
		return err
	}
	body, err := open311.MarshalServices(f, services)
	return s.open311Send(c, f, body, err)
}

// open311Definition answers GET services/{code}.{format}.
func (s *Server) open311Definition(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	def, err := s.deps.Open311.Definition(c.UserContext(), languageOf(c), open311Param(c, "code"))
	if err != nil {
		return err
	}
	body, err := open311.MarshalDefinition(f, def)
	return s.open311Send(c, f, body, err)
}

// open311Requests answers GET requests.{format}: the specification's filters and defaults
// (open311.ParseQuery), at most open311.MaxResults.
func (s *Server) open311Requests(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	values, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return apperr.New(apperr.CodeBadRequest).Wrap(err)
	}
	q, err := open311.ParseQuery(values, s.deps.Now())
	if err != nil {
		return err
	}
	requests, err := s.deps.Open311.Requests(c.UserContext(), languageOf(c), q)
	if err != nil {
		return err
	}
	if len(requests) > q.Limit {
		requests = requests[:q.Limit]
	}
	body, err := open311.MarshalRequests(f, requests)
	return s.open311Send(c, f, body, err)
}

// open311Request answers GET requests/{id}.{format}: a list of one, as the specification has it.
func (s *Server) open311Request(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	r, err := s.deps.Open311.Request(c.UserContext(), languageOf(c), open311Param(c, "id"))
	if err != nil {
		return err
	}
	body, err := open311.MarshalRequests(f, []open311.Request{r})
	return s.open311Send(c, f, body, err)
}

// open311Token answers GET tokens/{token}.{format}.
func (s *Server) open311Token(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	t, err := s.deps.Open311.Token(c.UserContext(), open311Param(c, "token"))
	if err != nil {
		return err
	}
	body, err := open311.MarshalTokens(f, []open311.TokenStatus{t})
	return s.open311Send(c, f, body, err)
}

// open311Create answers POST requests.{format}: counted per client address first, then the key
// must be there, the form must parse and the answers fit the service's definition before the
// backend checks the key and stores the request. The key is never logged: the access log has no
// query string and no body, and every log line passes logredact.Secrets.
func (s *Server) open311Create(c *fiber.Ctx) error {
	f, err := open311FormatOf(c)
	if err != nil {
		return err
	}
	if err := s.allowOpen311Post(c); err != nil {
		return err
	}
	form, err := open311Form(c)
	if err != nil {
		return err
	}
	key := form.Get("api_key")
	if key == "" {
		key = utils.CopyString(c.Query("api_key"))
	}
	if key == "" {
		return apperr.Forbidden()
	}
	if err := s.deps.Open311.Authenticate(c.UserContext(), key); err != nil {
		return err
	}
	req, err := open311.ParseNewRequest(form)
	if err != nil {
		return err
	}
	lang := languageOf(c)
	def, err := s.deps.Open311.Definition(c.UserContext(), lang, req.ServiceCode)
	if err != nil {
		return err
	}
	if err := open311.Validate(def, &req); err != nil {
		return err
	}
	receipt, err := s.deps.Open311.Create(c.UserContext(), key, req, lang)
	if err != nil {
		return err
	}
	body, err := open311.MarshalReceipts(f, []open311.Receipt{receipt})
	return s.open311Send(c, f, body, err)
}

// open311Form reads the body the specification prescribes (form-urlencoded), or multipart form
// fields, which some clients send instead.
func open311Form(c *fiber.Ctx) (url.Values, error) {
	mediaType, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	switch mediaType {
	case fiber.MIMEApplicationForm:
		values, err := url.ParseQuery(string(c.Body()))
		if err != nil {
			return nil, apperr.New(apperr.CodeBadRequest).Wrap(err)
		}
		return values, nil
	case fiber.MIMEMultipartForm:
		form, err := c.MultipartForm()
		if err != nil {
			return nil, apperr.New(apperr.CodeBadRequest).Wrap(err)
		}
		values := url.Values{}
		for k, vs := range form.Value {
			for _, v := range vs {
				values.Add(utils.CopyString(k), utils.CopyString(v))
			}
		}
		return values, nil
	}
	return nil, apperr.New(apperr.CodeUnsupportedMediaType).
		WithDetail("error.detail.media_type", map[string]any{"Expected": fiber.MIMEApplicationForm})
}

// allowOpen311Post counts one POST against the client's address on the database, so every
// replica counts together, keyed by a keyed hash so no address is written down. Channels such as
// a FixMyStreet installation send every report from one address, so the bound
// (MINSIDE_OPEN311_POST_LIMIT a minute) is generous: it stops a runaway client, not a busy one.
func (s *Server) allowOpen311Post(c *fiber.Ctx) error {
	if s.deps.AddressPseudonym == nil || s.deps.DB == nil {
		return nil
	}
	bucket := "open311-post:" + s.deps.AddressPseudonym(c.IP())
	ok, retry, err := ratelimit.Allow(c.UserContext(), s.deps.DB, bucket, s.deps.Config.Open311PostLimit, time.Minute, s.deps.Now())
	if err != nil || ok {
		return err
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	return apperr.New(apperr.CodeRateLimited)
}

// isOpen311 reports whether the request is for the Open311 API (any version, mounted or not),
// whose errors have their own format.
func isOpen311(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/open311/") || c.Path() == "/open311"
}

// open311Keys rewords the portal's messages for an Open311 client; other keys stay as for any
// machine API.
var open311Keys = map[string]string{
	"error.unauthorized": "error.open311.api_key",
	"error.forbidden":    "error.open311.api_key",
	"error.not_found":    "error.open311.not_found",
}

// open311Status is the specification's HTTP status: 403 for a missing or bad api_key, 404 for
// what does not exist, 400 for any other refusal. A too large body, too many requests and our
// own failures keep their honest status, so clients back off or retry.
func open311Status(code apperr.Code) int {
	switch code {
	case apperr.CodeUnauthorized, apperr.CodeForbidden:
		return fiber.StatusForbidden
	case apperr.CodeNotFound:
		return fiber.StatusNotFound
	case apperr.CodeTooLarge, apperr.CodeRateLimited, apperr.CodeInternal, apperr.CodeUnavailable:
		return statusOf[code]
	}
	return fiber.StatusBadRequest
}

// writeOpen311Error answers an error as Open311's list of {code, description}: one entry per bad
// parameter ("lat: The value is outside the allowed range."), else one for the whole request,
// in the reader's language. The format follows the URL's extension (JSON unless .xml).
func (s *Server) writeOpen311Error(c *fiber.Ctx, ae *apperr.Error) error {
	lang := languageOf(c)
	status := open311Status(ae.Code)
	t := s.deps.Translator
	var errs []open311.Error
	for _, f := range ae.Fields {
		errs = append(errs, open311.Error{Code: status, Description: f.Pointer + ": " + t.Translate(lang, f.Key, f.Data)})
	}
	if len(errs) == 0 {
		key, ok := open311Keys[ae.Key]
		if !ok {
			key = developerKey(ae.Key)
		}
		description := t.Translate(lang, key, ae.Data)
		if ae.Detail != "" {
			description += " " + t.Translate(lang, developerKey(ae.Detail), ae.Data)
		}
		errs = append(errs, open311.Error{Code: status, Description: description})
	}
	f := open311.JSON
	if strings.HasSuffix(c.Path(), ".xml") {
		f = open311.XML
	}
	body, err := open311.MarshalErrors(f, errs)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(body)
}
