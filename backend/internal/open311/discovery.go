package open311

import "encoding/xml"

// Specification names GeoReport v2 in a discovery document's endpoints.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Changeset is when this implementation's answers last changed shape, for discovery documents
// (clients compare it to decide whether to look again). Change it with the wire format.
const Changeset = "2026-12-05T00:00:00Z"

// Discovery is the Service Discovery document (wiki.open311.org/Service_Discovery): where the
// GeoReport endpoints are, whom to ask, and how to get an API key.
type Discovery struct {
	Changeset  string
	Contact    string
	KeyService string
	Endpoints  []Endpoint
}

// Endpoint is one GeoReport endpoint of a discovery document.
type Endpoint struct {
	Specification string
	URL           string
	Changeset     string
	Type          string   // "production" or "test"
	Formats       []string // media types, e.g. "text/xml", "application/json"
}

// wireEndpoint has the formats twice: an array in JSON, and in XML a <formats> element that is
// left out when there are none (encoding/xml writes an empty parent for an empty a>b list).
type wireEndpoint struct {
	Specification string       `xml:"specification" json:"specification"`
	URL           string       `xml:"url" json:"url"`
	Changeset     string       `xml:"changeset" json:"changeset"`
	Type          string       `xml:"type" json:"type"`
	Formats       []string     `xml:"-" json:"formats,omitempty"`
	XMLFormats    *wireFormats `xml:"formats,omitempty" json:"-"`
}

type wireFormats struct {
	Format []string `xml:"format"`
}

type wireDiscovery struct {
	XMLName    xml.Name       `xml:"discovery" json:"-"`
	Changeset  string         `xml:"changeset" json:"changeset"`
	Contact    string         `xml:"contact" json:"contact"`
	KeyService string         `xml:"key_service" json:"key_service"`
	Endpoints  []wireEndpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

// MarshalDiscovery renders a discovery document; in JSON by the Spark convention, like every answer.
func MarshalDiscovery(f Format, d Discovery) ([]byte, error) {
	out := wireDiscovery{Changeset: d.Changeset, Contact: d.Contact, KeyService: d.KeyService,
		Endpoints: make([]wireEndpoint, len(d.Endpoints))}
	for i, e := range d.Endpoints {
		out.Endpoints[i] = wireEndpoint{Specification: e.Specification, URL: e.URL, Changeset: e.Changeset, Type: e.Type, Formats: e.Formats}
		if len(e.Formats) > 0 {
			out.Endpoints[i].XMLFormats = &wireFormats{Format: e.Formats}
		}
	}
	return marshal(f, out, out)
}
