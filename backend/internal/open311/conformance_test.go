package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The conformance tests render our types into the shapes of the specification's own example
// answers (testdata/spec, copied from wiki.open311.org/GeoReport_v2; README.md there lists the
// sections and the examples' quirks) and compare them structurally, in JSON and in XML.

func specTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func float(v float64) *float64 { return &v }

func specServices() []Service {
	keywords := []string{"lorem", "ipsum", "dolor"}
	return []Service{
		{Code: "001", Name: "Cans left out 24x7", Description: "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
			Metadata: true, Type: TypeRealtime, Keywords: keywords, Group: "sanitation"},
		{Code: "002", Name: "Construction plate shifted", Description: "Metal construction plate covering the street or sidewalk has been moved.",
			Metadata: true, Keywords: keywords, Group: "street"}, // no type: realtime is the default
		{Code: "003", Name: "Curb or curb ramp defect", Description: "Sidewalk curb or ramp has problems such as cracking, missing pieces, holes, and/or chipped curb.",
			Metadata: true, Type: TypeRealtime, Keywords: keywords, Group: "street"},
	}
}

func specDefinition() ServiceDefinition {
	return ServiceDefinition{ServiceCode: "DMV66", Attributes: []Attribute{{
		Variable: true, Code: "WHISHETN", Datatype: DatatypeSingleValueList, Required: true, Order: 1,
		Description: "What is the ticket/tag/DL number?",
		Values:      []Value{{Key: "123", Name: "Ford"}, {Key: "124", Name: "Chrysler"}},
	}}}
}

func specRequests(t *testing.T) []Request {
	closed := Request{ID: "638344", Status: StatusClosed, StatusNotes: "Duplicate request.", ServiceName: "Sidewalk and Curb Issues",
		ServiceCode: "006", Requested: specTime(t, "2010-04-14T06:37:38-08:00"), Updated: specTime(t, "2010-04-14T06:37:38-08:00"),
		Expected: specTime(t, "2010-04-15T06:37:38-08:00"), Address: "8TH AVE and JUDAH ST", AddressID: "545483", Zipcode: "94122",
		Lat: float(37.762221815), Long: float(-122.4651145), MediaURL: "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"}
	open := closed
	open.ID, open.Status, open.StatusNotes = "638349", StatusOpen, ""
	open.Requested = specTime(t, "2010-04-19T06:37:38-08:00")
	open.Updated, open.Expected = open.Requested, open.Requested
	open.MediaURL = "http://city.gov.s3.amazonaws.com/requests/media/638349.jpg"
	return []Request{closed, open}
}

func TestAnswersMatchTheSpecificationExamples(t *testing.T) {
	requests := specRequests(t)
	cases := []struct {
		example string
		render  func(Format) ([]byte, error)
	}{
		{"services", func(f Format) ([]byte, error) { return MarshalServices(f, specServices()) }},
		{"service_definition", func(f Format) ([]byte, error) { return MarshalDefinition(f, specDefinition()) }},
		{"post_response", func(f Format) ([]byte, error) {
			return MarshalReceipts(f, []Receipt{{ServiceRequestID: "293944", ServiceNotice: "The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code"}})
		}},
		{"token", func(f Format) ([]byte, error) {
			return MarshalTokens(f, []TokenStatus{{Token: "12345", ServiceRequestID: "638344"}})
		}},
		{"requests", func(f Format) ([]byte, error) { return MarshalRequests(f, requests) }},
		{"request", func(f Format) ([]byte, error) { return MarshalRequests(f, requests[:1]) }},
		{"discovery", func(f Format) ([]byte, error) {
			return MarshalDiscovery(f, Discovery{Changeset: "2011-02-03 14:18",
				Contact:    "You can email or call for assistance api@mycity.org +1 (555) 555-5555",
				KeyService: "You can request a key here: http://api.mycity.gov/api_key/request",
				Endpoints: []Endpoint{
					{Specification: "http://wiki.open311.org/GeoReport_v2.1", URL: "http://open311.mycity.gov/v2_1", Changeset: "2010-11-23 09:01", Type: "production", Formats: []string{"text/xml"}},
					{Specification: "http://wiki.open311.org/GeoReport_v2.1", URL: "http://open311.mycity.gov/test/v2_1", Changeset: "2010-10-02 09:01", Type: "test", Formats: []string{"text/xml", "text/json", "text/html"}},
					{Specification: "http://wiki.open311.org/GeoReport_v3", URL: "http://open311.mycity.gov/v3", Changeset: "2011-02-03 14:18", Type: "test"},
				}})
		}},
		{"error", func(f Format) ([]byte, error) {
			return MarshalErrors(f, []Error{{Code: 403, Description: "Invalid api_key received -- can't proceed with create_request."}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.example+".json", func(t *testing.T) {
			got, err := tc.render(JSON)
			if err != nil {
				t.Fatal(err)
			}
			want := readSpec(t, tc.example+".json")
			if g, w := jsonShape(t, got), jsonShape(t, want); !reflect.DeepEqual(g, w) {
				t.Errorf("JSON differs from the specification's example\n got: %v\nwant: %v\nours:\n%s", g, w, got)
			}
		})
		t.Run(tc.example+".xml", func(t *testing.T) {
			got, err := tc.render(XML)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
				t.Errorf("no XML declaration with the encoding:\n%s", got)
			}
			want := readSpec(t, tc.example+".xml")
			if g, w := xmlShape(t, got), xmlShape(t, want); !reflect.DeepEqual(g, w) {
				t.Errorf("XML differs from the specification's example\n got: %v\nwant: %v\nours:\n%s", g, w, got)
			}
		})
	}
}

// TestCodesStayStrings: a code with leading zeros is a string in our JSON, not the example's
// invalid bare 006, so every JSON parser reads it back unchanged.
func TestCodesStayStrings(t *testing.T) {
	body, err := MarshalRequests(JSON, specRequests(t)[:1])
	if err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(body, &decoded); err != nil {
		t.Fatalf("our JSON does not parse: %v\n%s", err, body)
	}
	if decoded[0]["service_code"] != "006" || decoded[0]["service_request_id"] != "638344" {
		t.Errorf("codes and ids must be strings: %s", body)
	}
}

// TestEmptyListsAndAbsentValues: no match is [] (not null) and <service_requests/>; a request
// placed only by words has null coordinates in JSON and none in XML.
func TestEmptyListsAndAbsentValues(t *testing.T) {
	body, err := MarshalRequests(JSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("empty list: %s", body)
	}
	body, err = MarshalRequests(XML, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(xmlShape(t, body), map[string]any{"service_requests": []any{""}}) {
		t.Errorf("empty XML list: %s", body)
	}
	worded := Request{ID: "r1", Status: StatusOpen, ServiceCode: "lys", ServiceName: "Gatelys", Address: "Torget 1"}
	body, err = MarshalRequests(JSON, []Request{worded})
	if err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(body, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"lat", "long", "expected_datetime", "requested_datetime", "media_url"} {
		if v, ok := decoded[0][key]; !ok || v != nil {
			t.Errorf("%s: want null, got %v (present %v)", key, v, ok)
		}
	}
	body, err = MarshalRequests(XML, []Request{worded})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(body, []byte("<lat>")) {
		t.Errorf("XML has a lat for a request without coordinates:\n%s", body)
	}
}

func readSpec(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "spec", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bareZeroNumber is a JSON number written with leading zeros (001), which the examples use.
var bareZeroNumber = regexp.MustCompile(`(:\s*)(-?0\d+)(\s*[,}\]])`)

// jsonShape decodes JSON into a comparable shape: objects and arrays as they are, every scalar as
// its trimmed text, null as "".
func jsonShape(t *testing.T, body []byte) any {
	t.Helper()
	body = bareZeroNumber.ReplaceAll(body, []byte(`$1"$2"$3`))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode: %v\n%s", err, body)
	}
	return scalarsAsText(v)
}

func scalarsAsText(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = scalarsAsText(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = scalarsAsText(e)
		}
		return out
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return v
}

// xmlShape decodes XML into a comparable shape: an element with child elements becomes a map
// from child name to the children of that name in order; one without becomes its trimmed text.
func xmlShape(t *testing.T, body []byte) any {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("no root element: %v\n%s", err, body)
		}
		if start, ok := tok.(xml.StartElement); ok {
			v, err := xmlElement(dec)
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, body)
			}
			return map[string]any{start.Name.Local: []any{v}}
		}
	}
}

func xmlElement(dec *xml.Decoder) (any, error) {
	children := map[string]any{}
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		switch x := tok.(type) {
		case xml.StartElement:
			v, err := xmlElement(dec)
			if err != nil {
				return nil, err
			}
			list, _ := children[x.Name.Local].([]any)
			children[x.Name.Local] = append(list, v)
		case xml.CharData:
			text.Write(x)
		case xml.EndElement:
			if len(children) > 0 {
				return children, nil
			}
			return strings.TrimSpace(text.String()), nil
		}
	}
}
