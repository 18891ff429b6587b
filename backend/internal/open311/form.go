package open311

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/textcheck"
)

// Field message keys this package adds to the portal's common ones.
const (
	KeyLocation = "field.open311_location"  // no lat/long, address_string or address_id
	KeyDateSpan = "field.open311_date_span" // start_date and end_date too far apart
)

// Limits on what a client sends. Description's is the specification's; the others keep a
// row of reasonable size.
const (
	maxDescription = 4000
	maxAddress     = 500
	maxShortValue  = 200
	maxURL         = 2000
	maxIDs         = MaxResults
)

// singleParams are the POST parameters that carry one value each.
var singleParams = []string{"service_code", "lat", "long", "address_string", "address_id", "description", "media_url"}

// ParseNewRequest reads a POST requests body (its form values). Field errors name the parameter
// (e.g. "lat", "attribute[WHISHETN]"), all at once. The personal fields (email, first_name,
// last_name, phone, device_id, account_id), api_key and jurisdiction_id are not read: the first
// are never stored, the key is the caller's to check, and Min side serves one jurisdiction.
func ParseNewRequest(form url.Values) (NewRequest, error) {
	var fields []apperr.FieldError
	bad := func(param, key string, data map[string]any) {
		fields = append(fields, apperr.Field(param, key, data))
	}
	one := map[string]string{}
	for _, p := range singleParams {
		switch vs := form[p]; {
		case len(vs) > 1:
			bad(p, "field.duplicate_member", nil)
			one[p] = vs[0] // checked no further: one error per parameter
		case len(vs) == 1:
			one[p] = vs[0]
		}
	}
	twice := func(param string) bool { return len(form[param]) > 1 }
	req := NewRequest{Attributes: map[string][]string{}}
	text := func(param string, rule textcheck.Rule) string {
		s, problem := textcheck.Check(strings.TrimSpace(one[param]), rule)
		if problem != nil && !twice(param) {
			bad(param, problem.Key, problem.Data)
		}
		return s
	}
	req.ServiceCode = text("service_code", textcheck.Line.Limit(maxShortValue).Need(true))
	if !twice("lat") {
		req.Lat = parseCoordinate(one["lat"], 90, "lat", bad)
	}
	if !twice("long") {
		req.Long = parseCoordinate(one["long"], 180, "long", bad)
	}
	switch {
	case req.Lat != nil && req.Long == nil && one["long"] == "":
		bad("long", "field.required", nil)
	case req.Long != nil && req.Lat == nil && one["lat"] == "":
		bad("lat", "field.required", nil)
	}
	req.AddressString = text("address_string", textcheck.Line.Limit(maxAddress))
	req.AddressID = text("address_id", textcheck.Line.Limit(maxShortValue))
	req.Description = text("description", textcheck.Text.Limit(maxDescription))
	req.MediaURL = text("media_url", textcheck.Line.Limit(maxURL))
	if req.MediaURL != "" && !twice("media_url") && !publicURL(req.MediaURL) {
		bad("media_url", "field.invalid_url", nil)
	}
	if one["lat"] == "" && one["long"] == "" && req.AddressString == "" && req.AddressID == "" {
		bad("lat", KeyLocation, nil)
	}
	for name, vs := range form {
		code, ok := attributeCode(name)
		if !ok {
			continue
		}
		if code == "" {
			bad(name, "field.unknown", nil)
			continue
		}
		req.Attributes[code] = append(req.Attributes[code], vs...)
	}
	if len(fields) > 0 {
		return NewRequest{}, apperr.Invalid(sortFields(fields)...)
	}
	return req, nil
}

// attributeCode reads "attribute[CODE]" and "attribute[CODE][]" (a multivaluelist's values).
func attributeCode(param string) (string, bool) {
	rest, ok := strings.CutPrefix(param, "attribute[")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "[]")
	code, ok := strings.CutSuffix(rest, "]")
	if !ok || strings.ContainsAny(code, "[]") {
		return "", true
	}
	return code, true
}

func parseCoordinate(s string, limit float64, param string, bad func(string, string, map[string]any)) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		bad(param, "field.invalid", nil)
		return nil
	}
	if v < -limit || v > limit {
		bad(param, "field.out_of_range", nil)
		return nil
	}
	return &v
}

// publicURL is an absolute http(s) URL with a host: a link anyone can follow.
func publicURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// ParseQuery reads GET requests' query string with the specification's defaults: no dates means
// the 90 days up to now; one date means the 90 days after start_date or before end_date; both
// may not be more than 90 days apart. service_request_id overrides every other argument. Lists
// are comma separated and may also be repeated.
func ParseQuery(query url.Values, now time.Time) (Query, error) {
	var fields []apperr.FieldError
	bad := func(param, key string, data map[string]any) {
		fields = append(fields, apperr.Field(param, key, data))
	}
	q := Query{Limit: MaxResults}
	if ids := commaList(query["service_request_id"]); len(ids) > 0 {
		if len(ids) > maxIDs {
			return Query{}, apperr.Invalid(apperr.Field("service_request_id", "field.too_many", map[string]any{"Max": maxIDs}))
		}
		q.IDs = ids
		return q, nil
	}
	q.ServiceCodes = commaList(query["service_code"])
	for _, s := range commaList(query["status"]) {
		switch st := Status(strings.ToLower(s)); st {
		case StatusOpen, StatusClosed:
			if !hasStatus(q.Statuses, st) {
				q.Statuses = append(q.Statuses, st)
			}
		default:
			bad("status", "field.invalid_enum", map[string]any{"Allowed": "open, closed"})
		}
	}
	date := func(param string) (time.Time, bool) {
		s := strings.TrimSpace(query.Get(param))
		if s == "" {
			return time.Time{}, false
		}
		t, err := ParseDatetime(s)
		if err != nil {
			bad(param, "field.invalid_time", nil)
			return time.Time{}, false
		}
		return t, true
	}
	from, hasFrom := date("start_date")
	to, hasTo := date("end_date")
	switch {
	case hasFrom && hasTo:
		if to.Before(from) {
			bad("end_date", "field.must_be_after", map[string]any{"Other": "start_date"})
		} else if to.Sub(from) > DefaultWindow {
			bad("end_date", KeyDateSpan, map[string]any{"Days": int(DefaultWindow.Hours() / 24)})
		}
	case hasFrom:
		to = from.Add(DefaultWindow)
	case hasTo:
		from = to.Add(-DefaultWindow)
	default:
		to = now
		from = now.Add(-DefaultWindow)
	}
	if len(fields) > 0 {
		return Query{}, apperr.Invalid(sortFields(fields)...)
	}
	q.From, q.To = from, to
	return q, nil
}

func hasStatus(list []Status, s Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// commaList splits every value at commas, trims, and drops empty and repeated items.
func commaList(values []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item != "" && !seen[item] {
				seen[item] = true
				out = append(out, item)
			}
		}
	}
	return out
}

// ParseDatetime reads the W3C profile of ISO 8601 the specification requires
// (2010-01-01T00:00:00Z, with or without seconds and fractions, any offset), and a bare date as
// midnight UTC, as some clients send. A "+" offset that reached us unencoded in a query string has
// become a space; it is read as the "+" it was.
func ParseDatetime(s string) (time.Time, error) {
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
	}
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", time.DateOnly} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}
