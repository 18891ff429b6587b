package open311

import (
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/apperr"
)

func specPost(t *testing.T) url.Values {
	t.Helper()
	form, err := url.ParseQuery(strings.TrimSpace(string(readSpec(t, "post_request.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// TestParseSpecExamplePost reads the specification's example POST body and keeps exactly what
// Min side may store: the personal fields it carries are nowhere in the result.
func TestParseSpecExamplePost(t *testing.T) {
	req, err := ParseNewRequest(specPost(t))
	if err != nil {
		t.Fatal(err)
	}
	want := NewRequest{
		ServiceCode: "001", Lat: float(37.76524078), Long: float(-122.4212043), AddressString: "1234 5th street",
		Description: "A large sinkhole is destroying the street",
		MediaURL:    "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
		Attributes:  map[string][]string{"WHISPAWN": {"123456"}, "WHISDORN": {"COISL001"}},
	}
	if !reflect.DeepEqual(req, want) {
		t.Fatalf("parsed\n%#v\nwant\n%#v", req, want)
	}
	dump := fmt.Sprintf("%#v", req)
	for _, personal := range []string{"smit333", "sfgov.edu", "john", "smith", "111111111", "tt222111", "xyz", "city.gov"} {
		if strings.Contains(dump, personal) {
			t.Errorf("%q (a personal field, the api_key or the jurisdiction) reached the request: %s", personal, dump)
		}
	}
}

// TestNewRequestHasNoPlaceForPersonalData: the type itself cannot hold a reporter's identity.
func TestNewRequestHasNoPlaceForPersonalData(t *testing.T) {
	var names []string
	for _, f := range reflect.VisibleFields(reflect.TypeOf(NewRequest{})) {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{"AddressID", "AddressString", "Attributes", "Description", "Lat", "Long", "MediaURL", "ServiceCode"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("NewRequest fields %v, want %v: a new field must not carry personal data", names, want)
	}
}

func fieldKeys(t *testing.T, err error) map[string]string {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.CodeInvalid {
		t.Fatalf("want an invalid-fields error, got %v", err)
	}
	out := map[string]string{}
	for _, f := range ae.Fields {
		out[f.Pointer] = f.Key
	}
	return out
}

func TestParseNewRequestRefusals(t *testing.T) {
	base := "service_code=001&lat=59.91&long=10.75"
	tests := []struct {
		name, body string
		want       map[string]string
	}{
		{"no service code", "lat=59.91&long=10.75", map[string]string{"service_code": "field.required"}},
		{"no location", "service_code=001&description=hull", map[string]string{"lat": KeyLocation}},
		{"lat without long", "service_code=001&lat=59.91", map[string]string{"long": "field.required"}},
		{"long without lat", "service_code=001&long=10.75", map[string]string{"lat": "field.required"}},
		{"lat not a number", "service_code=001&lat=north&long=10.75", map[string]string{"lat": "field.invalid"}},
		{"lat out of range", "service_code=001&lat=91&long=10.75", map[string]string{"lat": "field.out_of_range"}},
		{"long out of range", "service_code=001&lat=59&long=-181", map[string]string{"long": "field.out_of_range"}},
		{"lat NaN", "service_code=001&lat=NaN&long=10.75", map[string]string{"lat": "field.invalid"}},
		{"service code twice", base + "&service_code=002", map[string]string{"service_code": "field.duplicate_member"}},
		{"description too long", base + "&description=" + strings.Repeat("a", 4001), map[string]string{"description": "field.too_long"}},
		{"description with a control character", base + "&description=a%00b", map[string]string{"description": "field.control_character"}},
		{"media_url not a link", base + "&media_url=javascript:alert(1)", map[string]string{"media_url": "field.invalid_url"}},
		{"media_url with credentials", base + "&media_url=https://u:p@example.org/a.jpg", map[string]string{"media_url": "field.invalid_url"}},
		{"attribute without a code", base + "&attribute[]=x", map[string]string{"attribute[]": "field.unknown"}},
		{"several at once", "lat=100&long=10", map[string]string{"service_code": "field.required", "lat": "field.out_of_range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseNewRequest(form)
			if got := fieldKeys(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseNewRequestLocations(t *testing.T) {
	for _, body := range []string{
		"service_code=001&address_string=Torget+1%2C+Kristiansand",
		"service_code=001&address_id=0301-123",
		"service_code=001&lat=58.146&long=7.995&description=Line+one%0D%0Aline+two",
	} {
		form, _ := url.ParseQuery(body)
		req, err := ParseNewRequest(form)
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if strings.Contains(req.Description, "\r") {
			t.Errorf("CR LF not made LF: %q", req.Description)
		}
	}
}

func TestParseMultivalueAttributes(t *testing.T) {
	form, _ := url.ParseQuery("service_code=001&address_id=a1&attribute[TYPE][]=glass&attribute[TYPE][]=paper&attribute[SIZE]=2")
	req, err := ParseNewRequest(form)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(req.Attributes["TYPE"], []string{"glass", "paper"}) || !reflect.DeepEqual(req.Attributes["SIZE"], []string{"2"}) {
		t.Errorf("attributes %v", req.Attributes)
	}
}

func TestParseQuerySpecSample(t *testing.T) {
	// The specification's sample URL for GET requests.
	sample, _ := url.ParseQuery("start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open&jurisdiction_id=city.gov")
	q, err := ParseQuery(sample, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := Query{Statuses: []Status{StatusOpen}, From: specTime(t, "2010-05-24T00:00:00Z"), To: specTime(t, "2010-06-24T00:00:00Z"), Limit: MaxResults}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("query %+v, want %+v", q, want)
	}
}

func TestParseQueryDefaultsAndLists(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		query string
		want  Query
	}{
		{"", Query{From: now.Add(-DefaultWindow), To: now, Limit: MaxResults}},
		{"start_date=2026-01-01T00:00:00Z", Query{From: start, To: start.Add(DefaultWindow), Limit: MaxResults}},
		{"end_date=2026-01-01T00:00:00Z", Query{From: start.Add(-DefaultWindow), To: start, Limit: MaxResults}},
		{"start_date=2026-01-01", Query{From: start, To: start.Add(DefaultWindow), Limit: MaxResults}},
		{"service_code=001,002&service_code=003,001&status=open,CLOSED,open",
			Query{ServiceCodes: []string{"001", "002", "003"}, Statuses: []Status{StatusOpen, StatusClosed}, From: now.Add(-DefaultWindow), To: now, Limit: MaxResults}},
		// service_request_id overrides everything else, even a bad status.
		{"service_request_id=a1,%20b2,&status=bogus&service_code=001", Query{IDs: []string{"a1", "b2"}, Limit: MaxResults}},
	}
	for _, tt := range tests {
		values, _ := url.ParseQuery(tt.query)
		q, err := ParseQuery(values, now)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		if !reflect.DeepEqual(q, tt.want) {
			t.Errorf("%q: %+v, want %+v", tt.query, q, tt.want)
		}
	}
}

// TestParseQueryUnencodedPlus: "+01:00" sent unencoded arrives as " 01:00" and is read as +01:00.
func TestParseQueryUnencodedPlus(t *testing.T) {
	values, _ := url.ParseQuery("start_date=2026-01-01T00:00:00+01:00")
	q, err := ParseQuery(values, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC); !q.From.Equal(want) {
		t.Errorf("from %v, want %v", q.From, want)
	}
}

func TestParseQueryRefusals(t *testing.T) {
	tests := []struct {
		query string
		want  map[string]string
	}{
		{"status=pending", map[string]string{"status": "field.invalid_enum"}},
		{"start_date=yesterday", map[string]string{"start_date": "field.invalid_time"}},
		{"start_date=2026-01-01T00:00:00", map[string]string{"start_date": "field.invalid_time"}}, // no zone
		{"start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", map[string]string{"end_date": "field.must_be_after"}},
		{"start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", map[string]string{"end_date": KeyDateSpan}},
		{"service_request_id=" + manyIDs(MaxResults+1), map[string]string{"service_request_id": "field.too_many"}},
	}
	for _, tt := range tests {
		values, _ := url.ParseQuery(tt.query)
		_, err := ParseQuery(values, time.Now())
		if got := fieldKeys(t, err); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%.60q: fields %v, want %v", tt.query, got, tt.want)
		}
	}
}

func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint("r", i)
	}
	return strings.Join(ids, ",")
}
