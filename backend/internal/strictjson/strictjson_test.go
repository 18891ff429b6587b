package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"minside/backend/internal/apperr"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body string
		dup        *string // pointer of the expected DuplicateError
		err        error   // another expected error
	}{
		{"object", `{"a":1,"b":[{"c":"x"},{"c":"y"}]}`, nil, nil},
		{"same name in sibling objects", `[{"a":1},{"a":2}]`, nil, nil},
		{"duplicate at the top", `{"pid":"1","x":2,"pid":"3"}`, ptr("/pid"), nil},
		{"duplicate in an array item", `{"e":[{},{"id":1,"id":2}]}`, ptr("/e/1/id"), nil},
		{"duplicate by escape", `{"pid":1,"p\u0069d":2}`, ptr("/pid"), nil},
		{"duplicate under an escaped name", `{"a/b~":{"x":1,"x":2}}`, ptr("/a~1b~0/x"), nil},
		{"control character in a duplicated name: the object's pointer", `{"a\u0000":1,"a\u0000":2}`, ptr(""), nil},
		{"trailing data", `{} {}`, nil, ErrTrailing},
		{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), nil, ErrTooDeep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.body))
			var dup *DuplicateError
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
			case tc.dup != nil:
				if !errors.As(err, &dup) || dup.Pointer != *tc.dup {
					t.Fatalf("err %v, want a duplicate at %q", err, *tc.dup)
				}
			case err != nil:
				t.Fatal(err)
			}
		})
	}
	v, err := Decode([]byte(`{"n":12345678901234567890,"s":"x","b":true,"z":null}`))
	want := map[string]any{"n": json.Number("12345678901234567890"), "s": "x", "b": true, "z": nil}
	if err != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("Decode = %#v, %v", v, err)
	}
}

func ptr(s string) *string { return &s }

func TestMembersAndRefusal(t *testing.T) {
	m, err := Members([]byte(`{"kind":"cases","record":{"a":1,"a":2}}`))
	if err != nil || string(m["record"]) != `{"a":1,"a":2}` {
		t.Fatalf("Members leaves nested members to the record's decoder: %v %s", err, m["record"])
	}
	_, err = Members([]byte(`{"kind":"cases","kind":"tiles"}`))
	if e, ok := apperr.As(Refusal(err, "/line")); !ok || e.Code != apperr.CodeInvalid || e.Fields[0].Pointer != "/line/kind" || e.Fields[0].Key != "field.duplicate_member" {
		t.Fatalf("duplicate kind: %v", err)
	}
	for _, body := range []string{`[]`, `null`, `{"a":`, `{} x`} {
		_, err := Members([]byte(body))
		if !apperr.Is(Refusal(err, ""), apperr.CodeBadRequest) {
			t.Fatalf("%s: %v", body, err)
		}
	}
}
