// Package open311 speaks Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), the standard that
// FixMyStreet and many city systems use to list services, submit reports and follow them. It is
// a format layer only: its own types, the parsing and validation of what clients send, and the
// rendering of answers as JSON or XML. Where the services and reports live is a Backend's concern,
// so this package depends on no domain of Min side.
//
// Nothing here can carry personal data: the personal fields a client may send with a request
// (email, first_name, last_name, phone, device_id, account_id) are read past and dropped by
// ParseNewRequest, and no type below has a place for them.
package open311

import (
	"context"
	"time"
)

// Status is a request's state in Open311's two-valued vocabulary.
type Status string

const (
	StatusOpen   Status = "open"   // reported, not yet resolved
	StatusClosed Status = "closed" // resolved (fixed, closed with a reason, or a duplicate)
)

// StatusOf maps a report status of Min side's reporting service to Open311: received and
// in_progress are open; fixed, closed and duplicate are closed. An unknown status counts as open,
// so a report never looks resolved by mistake.
func StatusOf(reportStatus string) Status {
	switch reportStatus {
	case "fixed", "closed", "duplicate":
		return StatusClosed
	}
	return StatusOpen
}

// Service types (GET services "type"): how the server answers a POST.
const (
	TypeRealtime = "realtime" // a service_request_id at once
	TypeBatch    = "batch"    // a token now, the id later (GET tokens/{token})
	TypeBlackbox = "blackbox" // no id at all
)

// Service is one kind of thing that can be reported (GET services).
type Service struct {
	Code        string
	Name        string // in the reader's language
	Description string
	Metadata    bool   // true when the service has attributes: clients fetch its definition
	Type        string // TypeRealtime, TypeBatch or TypeBlackbox; empty means realtime
	Keywords    []string
	Group       string
}

// Attribute datatypes (GET service definition "datatype").
const (
	DatatypeString          = "string"          // one line
	DatatypeNumber          = "number"          // a decimal number
	DatatypeDatetime        = "datetime"        // a W3C/ISO 8601 date and time with a zone
	DatatypeText            = "text"            // several lines
	DatatypeSingleValueList = "singlevaluelist" // one key of Values
	DatatypeMultiValueList  = "multivaluelist"  // one or more keys of Values
)

// ServiceDefinition is a service's extra questions (GET services/{code}).
type ServiceDefinition struct {
	ServiceCode string
	Attributes  []Attribute
}

// Attribute is one extra question of a service.
type Attribute struct {
	// Variable is false for an attribute that only informs (its Description is shown, nothing is
	// asked); values sent for it are dropped.
	Variable            bool
	Code                string
	Datatype            string
	Required            bool
	DatatypeDescription string
	Order               int
	Description         string
	Values              []Value // the choices of a list datatype
}

// Value is one choice of a list attribute: Key is sent back, Name is shown.
type Value struct {
	Key  string
	Name string
}

// Request is a service request as anyone may see it (GET requests, GET requests/{id}). It has no
// field for who reported it.
type Request struct {
	ID                string
	Status            Status
	StatusNotes       string // why it has this status, e.g. the reason it was closed
	ServiceCode       string
	ServiceName       string
	Description       string
	AgencyResponsible string
	ServiceNotice     string
	Requested         time.Time
	Updated           time.Time
	Expected          time.Time // zero when no date is promised
	Address           string
	AddressID         string
	Zipcode           string
	Lat, Long         *float64 // nil when the place was given only in words
	MediaURL          string
}

// NewRequest is what a client submits (POST requests), after ParseNewRequest and Validate. The
// api_key travels beside it, never inside it.
type NewRequest struct {
	ServiceCode   string
	Lat, Long     *float64 // both or neither
	AddressString string
	AddressID     string
	Description   string
	MediaURL      string
	// Attributes holds the answers by attribute code: one value, or several for a multivaluelist.
	// After Validate it holds only the service's variable attributes, in canonical form.
	Attributes map[string][]string
}

// Receipt answers a POST: the new request's id, or a token to look the id up later (batch
// services), and what will happen next.
type Receipt struct {
	ServiceRequestID string
	Token            string
	ServiceNotice    string
}

// TokenStatus answers GET tokens/{token}: the request id once it exists (empty until then).
type TokenStatus struct {
	Token            string
	ServiceRequestID string
}

// MaxResults is the most requests one GET requests answers (the specification's limit), and
// DefaultWindow the span of requested_datetime searched when the client gives no dates.
const (
	MaxResults    = 1000
	DefaultWindow = 90 * 24 * time.Hour
)

// Query selects requests (GET requests). ParseQuery fills it from the query string, with the
// specification's defaults.
type Query struct {
	// IDs, when set, selects exactly these requests and overrides every other filter.
	IDs          []string
	ServiceCodes []string // empty: every service
	Statuses     []Status // empty: open and closed
	// From and To bound requested_datetime, both inclusive; never more than DefaultWindow apart.
	From, To time.Time
	Limit    int // at most MaxResults
}

// Backend is where the services and requests live; the reporting service implements it.
//
// Every method must answer only what may be public: no reporter's name, contact, national
// identity number or account, and no photo link that is not meant to be published. Errors are
// *apperr.Error values: NotFound for an unknown service, request or token, Forbidden for an API
// key that is missing, unknown or revoked; any other error is answered as an internal error and
// never shown to the client. lang is the reader's language (nb, nn, en, …) for names and notices,
// with the portal's usual fallback.
type Backend interface {
	// Services lists the services that accept reports now, in a stable order.
	Services(ctx context.Context, lang string) ([]Service, error)
	// Definition is a service's attributes (none when it asks nothing extra); NotFound when no
	// service has this code.
	Definition(ctx context.Context, lang, serviceCode string) (ServiceDefinition, error)
	// Authenticate checks an API key for POST requests.json: Forbidden when it is missing,
	// unknown or revoked. The handler asks it before it reads the form, so a client without a
	// valid key learns nothing about services or parameters (the specification's 403).
	Authenticate(ctx context.Context, apiKey string) error
	// Create stores a request that Validate accepted against Definition, sent by the agency
	// whose API key apiKey is. It checks the key before anything else and writes nothing when the
	// key is bad (Forbidden) or the agency may not submit to this service (Forbidden). It never
	// writes apiKey anywhere. Rules of its own (a service that needs a description or a
	// photo) are refused with apperr.Invalid, each field named by its Open311 parameter
	// ("description", "media_url"), as Validate does.
	Create(ctx context.Context, apiKey string, req NewRequest, lang string) (Receipt, error)
	// Requests answers the requests q selects, newest requested_datetime first, at most q.Limit.
	Requests(ctx context.Context, lang string, q Query) ([]Request, error)
	// Request is one request; NotFound when there is none with this id.
	Request(ctx context.Context, lang, id string) (Request, error)
	// Token resolves a token handed out by Create; NotFound when unknown. A token is no secret
	// (it appears in URLs and access logs and resolves only to the public request id): never the
	// secret of a reporter's private follow-up link.
	Token(ctx context.Context, token string) (TokenStatus, error)
}
