package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"time"
)

// Format is an answer's representation, chosen by the URL's extension (services.json, …).
type Format string

const (
	JSON Format = "json"
	XML  Format = "xml"
)

// ParseFormat reads a URL's extension; false for one the specification does not define.
func ParseFormat(ext string) (Format, bool) {
	switch f := Format(strings.ToLower(ext)); f {
	case JSON, XML:
		return f, true
	}
	return "", false
}

// ContentType is the specification's media type for the format, always UTF-8.
func (f Format) ContentType() string {
	if f == XML {
		return "text/xml; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// Error is one entry of an error answer. Code is usually the HTTP status.
type Error struct {
	Code        int
	Description string
}

// The wire forms follow the specification's examples: JSON is the Spark convention's mapping of
// the XML (a list root becomes an array), empty optional values are null in JSON and empty
// elements in XML, identifiers and codes are strings (a code such as "006" keeps its zeros).

// text is an optional string: null in JSON when empty, an empty element in XML.
type text string

func (t text) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t))
}

// w3Time formats a time in the W3C profile of ISO 8601 with its own offset; zero is empty.
func w3Time(t time.Time) text {
	if t.IsZero() {
		return ""
	}
	return text(t.Format(time.RFC3339))
}

type wireService struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	Code        string   `xml:"service_code" json:"service_code"`
	Name        string   `xml:"service_name" json:"service_name"`
	Description text     `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    text     `xml:"keywords" json:"keywords"`
	Group       text     `xml:"group" json:"group"`
}

type wireServices struct {
	XMLName  xml.Name      `xml:"services"`
	Services []wireService `xml:"service"`
}

type wireValue struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

type wireAttribute struct {
	Variable            bool        `xml:"variable" json:"variable"`
	Code                string      `xml:"code" json:"code"`
	Datatype            string      `xml:"datatype" json:"datatype"`
	Required            bool        `xml:"required" json:"required"`
	DatatypeDescription text        `xml:"datatype_description" json:"datatype_description"`
	Order               int         `xml:"order" json:"order"`
	Description         string      `xml:"description" json:"description"`
	Values              []wireValue `xml:"values>value" json:"values"`
}

type wireDefinition struct {
	XMLName     xml.Name        `xml:"service_definition" json:"-"`
	ServiceCode string          `xml:"service_code" json:"service_code"`
	Attributes  []wireAttribute `xml:"attributes>attribute" json:"attributes"`
}

type wireRequest struct {
	XMLName           xml.Name `xml:"request" json:"-"`
	ID                string   `xml:"service_request_id" json:"service_request_id"`
	Status            Status   `xml:"status" json:"status"`
	StatusNotes       text     `xml:"status_notes" json:"status_notes"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       text     `xml:"description" json:"description"`
	AgencyResponsible text     `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     text     `xml:"service_notice" json:"service_notice"`
	Requested         text     `xml:"requested_datetime" json:"requested_datetime"`
	Updated           text     `xml:"updated_datetime" json:"updated_datetime"`
	Expected          text     `xml:"expected_datetime" json:"expected_datetime"`
	Address           text     `xml:"address" json:"address"`
	AddressID         text     `xml:"address_id" json:"address_id"`
	Zipcode           text     `xml:"zipcode" json:"zipcode"`
	Lat               *float64 `xml:"lat" json:"lat"`
	Long              *float64 `xml:"long" json:"long"`
	MediaURL          text     `xml:"media_url" json:"media_url"`
}

// wireReceipt answers a POST. account_id is always empty: Min side keeps no client account ids.
type wireReceipt struct {
	XMLName       xml.Name `xml:"request" json:"-"`
	ID            string   `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token         string   `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice text     `xml:"service_notice" json:"service_notice"`
	AccountID     text     `xml:"account_id" json:"account_id"`
}

type wireToken struct {
	XMLName xml.Name `xml:"request" json:"-"`
	ID      text     `xml:"service_request_id" json:"service_request_id"`
	Token   string   `xml:"token" json:"token"`
}

// wireRequests is the XML root of every answer about requests: lists, receipts and tokens.
type wireRequests[T any] struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []T
}

type wireError struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

type wireErrors struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []wireError `xml:"error"`
}

// MarshalServices renders GET services.
func MarshalServices(f Format, services []Service) ([]byte, error) {
	out := make([]wireService, len(services))
	for i, s := range services {
		typ := s.Type
		if typ == "" {
			typ = TypeRealtime
		}
		out[i] = wireService{Code: s.Code, Name: s.Name, Description: text(s.Description), Metadata: s.Metadata,
			Type: typ, Keywords: text(strings.Join(s.Keywords, ", ")), Group: text(s.Group)}
	}
	return marshal(f, out, wireServices{Services: out})
}

// MarshalDefinition renders GET services/{code}, attributes in their order.
func MarshalDefinition(f Format, def ServiceDefinition) ([]byte, error) {
	out := wireDefinition{ServiceCode: def.ServiceCode, Attributes: make([]wireAttribute, len(def.Attributes))}
	for i, a := range def.Attributes {
		values := make([]wireValue, len(a.Values))
		for j, v := range a.Values {
			values[j] = wireValue(v)
		}
		out.Attributes[i] = wireAttribute{Variable: a.Variable, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			DatatypeDescription: text(a.DatatypeDescription), Order: a.Order, Description: a.Description, Values: values}
	}
	return marshal(f, out, out)
}

// MarshalRequests renders GET requests and GET requests/{id} (a list of one).
func MarshalRequests(f Format, requests []Request) ([]byte, error) {
	out := make([]wireRequest, len(requests))
	for i, r := range requests {
		out[i] = wireRequest{ID: r.ID, Status: r.Status, StatusNotes: text(r.StatusNotes), ServiceName: r.ServiceName,
			ServiceCode: r.ServiceCode, Description: text(r.Description), AgencyResponsible: text(r.AgencyResponsible),
			ServiceNotice: text(r.ServiceNotice), Requested: w3Time(r.Requested), Updated: w3Time(r.Updated),
			Expected: w3Time(r.Expected), Address: text(r.Address), AddressID: text(r.AddressID), Zipcode: text(r.Zipcode),
			Lat: r.Lat, Long: r.Long, MediaURL: text(r.MediaURL)}
	}
	return marshal(f, out, wireRequests[wireRequest]{Requests: out})
}

// MarshalReceipts renders the answer to POST requests: the id, or else the token.
func MarshalReceipts(f Format, receipts []Receipt) ([]byte, error) {
	out := make([]wireReceipt, len(receipts))
	for i, r := range receipts {
		out[i] = wireReceipt{ID: r.ServiceRequestID, ServiceNotice: text(r.ServiceNotice)}
		if r.ServiceRequestID == "" {
			out[i].Token = r.Token
		}
	}
	return marshal(f, out, wireRequests[wireReceipt]{Requests: out})
}

// MarshalTokens renders GET tokens/{token}.
func MarshalTokens(f Format, tokens []TokenStatus) ([]byte, error) {
	out := make([]wireToken, len(tokens))
	for i, t := range tokens {
		out[i] = wireToken{ID: text(t.ServiceRequestID), Token: t.Token}
	}
	return marshal(f, out, wireRequests[wireToken]{Requests: out})
}

// MarshalErrors renders an error answer.
func MarshalErrors(f Format, errs []Error) ([]byte, error) {
	out := make([]wireError, len(errs))
	for i, e := range errs {
		out[i] = wireError{Code: e.Code, Description: e.Description}
	}
	return marshal(f, out, wireErrors{Errors: out})
}

// marshal renders asJSON or asXML; XML gets the declaration the specification requires. An
// empty JSON list is [], never null.
func marshal(f Format, asJSON, asXML any) ([]byte, error) {
	if f == XML {
		body, err := xml.MarshalIndent(asXML, "", "  ")
		if err != nil {
			return nil, err
		}
		return append([]byte(`<?xml version="1.0" encoding="utf-8"?>`+"\n"), body...), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(asJSON); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
