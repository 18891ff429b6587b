package open311

import (
	"reflect"
	"testing"
)

// TestValidateSpecExamplePost checks the specification's example POST against the
// specification's example service definition: its required WHISHETN is not answered, and
// nothing of the request changes.
func TestValidateSpecExamplePost(t *testing.T) {
	req, err := ParseNewRequest(specPost(t))
	if err != nil {
		t.Fatal(err)
	}
	before := req.Attributes
	got := fieldKeys(t, Validate(specDefinition(), &req))
	if !reflect.DeepEqual(got, map[string]string{"attribute[WHISHETN]": "field.required"}) {
		t.Errorf("fields %v", got)
	}
	if !reflect.DeepEqual(req.Attributes, before) {
		t.Errorf("a refused request was changed: %v", req.Attributes)
	}
	// The example's attributes belong to a service we do not know: against a definition without
	// them they are dropped, not refused (clients send attributes of their own).
	if err := Validate(ServiceDefinition{ServiceCode: "001"}, &req); err != nil {
		t.Fatal(err)
	}
	if len(req.Attributes) != 0 {
		t.Errorf("unknown attributes kept: %v", req.Attributes)
	}
}

func TestValidateDatatypes(t *testing.T) {
	colours := []Value{{Key: "r", Name: "Red"}, {Key: "g", Name: "Green"}}
	def := ServiceDefinition{ServiceCode: "x", Attributes: []Attribute{
		{Variable: true, Code: "S", Datatype: DatatypeString, Order: 1},
		{Variable: true, Code: "N", Datatype: DatatypeNumber, Order: 2},
		{Variable: true, Code: "D", Datatype: DatatypeDatetime, Order: 3},
		{Variable: true, Code: "T", Datatype: DatatypeText, Order: 4},
		{Variable: true, Code: "ONE", Datatype: DatatypeSingleValueList, Order: 5, Values: colours},
		{Variable: true, Code: "MANY", Datatype: DatatypeMultiValueList, Order: 6, Values: colours},
		{Variable: false, Code: "INFO", Datatype: DatatypeText, Order: 7, Description: "Only information"},
		{Variable: true, Code: "REQ", Datatype: DatatypeString, Required: true, Order: 8},
	}}
	ok := map[string][]string{
		"S": {" Lamp 12 "}, "N": {"0012.50"}, "D": {"2026-12-05T10:00:00 01:00"}, "T": {"a\r\nb"},
		"ONE": {"g"}, "MANY": {"r", "g", "r"}, "INFO": {"ignored"}, "REQ": {"yes"}, "EXTRA": {"from another client"},
	}
	req := NewRequest{Attributes: ok}
	if err := Validate(def, &req); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"S": {"Lamp 12"}, "N": {"12.5"}, "D": {"2026-12-05T10:00:00+01:00"}, "T": {"a\nb"},
		"ONE": {"g"}, "MANY": {"r", "g"}, "REQ": {"yes"},
	}
	if !reflect.DeepEqual(req.Attributes, want) {
		t.Errorf("canonical answers %v, want %v", req.Attributes, want)
	}

	tests := []struct {
		name    string
		answers map[string][]string
		want    map[string]string
	}{
		{"required missing", map[string][]string{}, map[string]string{"attribute[REQ]": "field.required"}},
		{"required empty counts as missing", map[string][]string{"REQ": {" "}}, map[string]string{"attribute[REQ]": "field.required"}},
		{"not a number", map[string][]string{"REQ": {"y"}, "N": {"twelve"}}, map[string]string{"attribute[N]": "field.invalid"}},
		{"infinite number", map[string][]string{"REQ": {"y"}, "N": {"Inf"}}, map[string]string{"attribute[N]": "field.invalid"}},
		{"not a datetime", map[string][]string{"REQ": {"y"}, "D": {"tomorrow"}}, map[string]string{"attribute[D]": "field.invalid_time"}},
		{"unknown key", map[string][]string{"REQ": {"y"}, "ONE": {"b"}}, map[string]string{"attribute[ONE]": "field.invalid_enum"}},
		{"two keys for a single value", map[string][]string{"REQ": {"y"}, "ONE": {"r", "g"}}, map[string]string{"attribute[ONE]": "field.duplicate_member"}},
		{"an unknown key among many", map[string][]string{"REQ": {"y"}, "MANY": {"r", "x"}}, map[string]string{"attribute[MANY]": "field.invalid_enum"}},
		{"a line break in a string", map[string][]string{"REQ": {"y"}, "S": {"a\nb"}}, map[string]string{"attribute[S]": "field.control_character"}},
		{"everything at once", map[string][]string{"N": {"x"}, "ONE": {"x"}},
			map[string]string{"attribute[REQ]": "field.required", "attribute[N]": "field.invalid", "attribute[ONE]": "field.invalid_enum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := NewRequest{Attributes: tt.answers}
			if got := fieldKeys(t, Validate(def, &req)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	for status, want := range map[string]Status{
		"received": StatusOpen, "in_progress": StatusOpen, "fixed": StatusClosed, "closed": StatusClosed,
		"duplicate": StatusClosed, "something new": StatusOpen,
	} {
		if got := StatusOf(status); got != want {
			t.Errorf("%s: %s, want %s", status, got, want)
		}
	}
}
