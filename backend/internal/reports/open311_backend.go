package reports

import (
	"context"
	"slices"
	"strings"

	"minside/backend/internal/apperr"
	"minside/backend/internal/open311"
)

// Open311 is the reporting service as an Open311 GeoReport v2 backend (open311.Backend).
//
// It lives here rather than in package open311 or web because the mapping (statuses to
// open/closed, questions to attributes, this domain's field names to Open311's parameters) is
// knowledge of the reporting domain; the format layer stays free of every domain (it is tested
// against the specification alone) and the web layer stays thin. The import goes one way only:
// reports → open311, and open311 imports no domain package, so there is no cycle.
type Open311 struct {
	svc  *Service
	keys KeyResolver
	tr   Translator
}

// Translator words the status notes in the reader's language (i18n.Bundle implements it).
type Translator interface {
	Translate(lang, id string, data map[string]any) string
}

var _ open311.Backend = (*Open311)(nil)

// NewOpen311 serves svc over Open311; keys checks the agencies' API keys (agency.Service).
func NewOpen311(svc *Service, keys KeyResolver, tr Translator) *Open311 {
	return &Open311{svc: svc, keys: keys, tr: tr}
}

// Services lists the active services; a service with questions has metadata (its definition).
func (o *Open311) Services(ctx context.Context, lang string) ([]open311.Service, error) {
	views, err := o.svc.Services(ctx, lang)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Service, 0, len(views))
	for _, v := range views {
		out = append(out, open311.Service{Code: v.Code, Name: v.Name, Description: v.Description, Metadata: len(v.Questions) > 0,
			Type: open311.TypeRealtime, Keywords: v.Keywords, Group: v.Group})
	}
	return out, nil
}

// datatypes maps question types to attribute datatypes. A text answer is one line here (Create
// checks it as one), so it is Open311's string, not its multi-line text.
var datatypes = map[string]string{
	TypeText:         open311.DatatypeString,
	TypeNumber:       open311.DatatypeNumber,
	TypeDateTime:     open311.DatatypeDatetime,
	TypeSingleChoice: open311.DatatypeSingleValueList,
	TypeMultiChoice:  open311.DatatypeMultiValueList,
}

// Definition is a known service's questions as attributes, in their order (1, 2, …); an
// inactive service has one too, and Create refuses it by name.
func (o *Open311) Definition(ctx context.Context, lang, code string) (open311.ServiceDefinition, error) {
	v, err := o.svc.ServiceByCode(ctx, code, lang)
	if err != nil {
		return open311.ServiceDefinition{}, err
	}
	questions := slices.Clone(v.Questions)
	slices.SortStableFunc(questions, func(a, b QuestionView) int { return a.Order - b.Order })
	def := open311.ServiceDefinition{ServiceCode: v.Code, Attributes: []open311.Attribute{}}
	for i, q := range questions {
		a := open311.Attribute{Variable: true, Code: q.Code, Datatype: datatypes[q.Type], Required: q.Required, Order: i + 1,
			Description: q.Label}
		for _, ch := range q.Choices {
			a.Values = append(a.Values, open311.Value{Key: ch.Key, Name: ch.Label})
		}
		def.Attributes = append(def.Attributes, a)
	}
	return def, nil
}

// Authenticate checks the key alone; Create checks it again with the service it is for.
func (o *Open311) Authenticate(ctx context.Context, apiKey string) error {
	_, err := o.keys.Authenticate(ctx, apiKey)
	return err
}

// Create stores a request from another channel with an agency's key (CreateFromChannel: the key
// first, only the agency's own services, report and webhook in one transaction). A place given
// only as address_id is kept as the address. This domain's refusals are renamed to the Open311
// parameters the client sent.
func (o *Open311) Create(ctx context.Context, apiKey string, req open311.NewRequest, _ string) (open311.Receipt, error) {
	in := NewReport{Service: req.ServiceCode, Description: req.Description, Lat: req.Lat, Lon: req.Long,
		Address: req.AddressString, Answers: req.Attributes, MediaURL: req.MediaURL}
	if in.Address == "" {
		in.Address = req.AddressID
	}
	id, err := o.svc.CreateFromChannel(ctx, o.keys, apiKey, in)
	if err != nil {
		return open311.Receipt{}, open311Params(err)
	}
	return open311.Receipt{ServiceRequestID: id}, nil
}

// paramOf names this domain's fields as Open311's POST parameters.
var paramOf = map[string]string{
	"/service": "service_code", "/description": "description", "/lat": "lat", "/lon": "long",
	"/address": "address_string", "/mediaUrl": "media_url", "/photos": "media_url",
}

func open311Params(err error) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	fields := slices.Clone(e.Fields)
	for i, f := range fields {
		if p, ok := paramOf[f.Pointer]; ok {
			fields[i].Pointer = p
		} else if code, ok := strings.CutPrefix(f.Pointer, "/answers/"); ok {
			fields[i].Pointer = "attribute[" + code + "]"
		}
	}
	return apperr.Invalid(fields...)
}

// Requests answers q: exactly q.IDs when given, else by service codes, open/closed and the
// requested window, newest first.
func (o *Open311) Requests(ctx context.Context, lang string, q open311.Query) ([]open311.Request, error) {
	rq := Query{IDs: q.IDs, Limit: q.Limit}
	if len(q.IDs) == 0 {
		rq.Services = q.ServiceCodes
		if !q.From.IsZero() {
			rq.Start = &q.From
		}
		if !q.To.IsZero() {
			rq.End = &q.To
		}
		if len(q.Statuses) == 1 {
			open := q.Statuses[0] == open311.StatusOpen
			rq.Open = &open
		}
	}
	rows, err := o.svc.PublicReports(ctx, rq, lang)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Request, 0, len(rows))
	for _, p := range rows {
		out = append(out, o.request(p, lang))
	}
	return out, nil
}

// Request is one public report.
func (o *Open311) Request(ctx context.Context, lang, id string) (open311.Request, error) {
	p, err := o.svc.PublicReport(ctx, id, lang)
	if err != nil {
		return open311.Request{}, err
	}
	return o.request(*p, lang), nil
}

// Token is never found: every service answers at once (realtime), so no token is handed out.
func (o *Open311) Token(context.Context, string) (open311.TokenStatus, error) {
	return open311.TokenStatus{}, apperr.NotFound()
}

// request maps a public report field by field. PublicReport has no reporter, and its media
// link is only the one another channel sent (already public); citizens' photos are served only
// by short-lived signed links to the reporter and the agency, never here.
func (o *Open311) request(p PublicReport, lang string) open311.Request {
	return open311.Request{ID: p.ID, Status: open311.StatusOf(p.Status), StatusNotes: o.statusNotes(p, lang),
		ServiceCode: p.Service, ServiceName: p.ServiceName, Description: p.Description, AgencyResponsible: p.Agency,
		Requested: p.CreatedAt, Updated: p.UpdatedAt, Address: p.Address, Lat: p.Lat, Long: p.Lon, MediaURL: p.MediaURL}
}

// statusNotes says why a report has its status (docs/open311.md): a duplicate names the report
// it repeats; otherwise the agency's reason, or the localized name of in_progress and fixed.
func (o *Open311) statusNotes(p PublicReport, lang string) string {
	switch {
	case p.Status == StatusDuplicate && p.DuplicateOf != nil:
		return o.tr.Translate(lang, "open311.status.duplicate", map[string]any{"ID": *p.DuplicateOf})
	case p.StatusReason != "":
		return p.StatusReason
	case p.Status == StatusInProgress:
		return o.tr.Translate(lang, "open311.status.in_progress", nil)
	case p.Status == StatusFixed:
		return o.tr.Translate(lang, "open311.status.fixed", nil)
	}
	return ""
}
