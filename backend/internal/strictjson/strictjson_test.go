package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"minside/backend/internal/apperr"
	"minside/backend/internal/textcheck"
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
		{"deep", strings.Repeat(`[{"a":`, 40) + "1" + strings.Repeat("}]", 40), nil, nil},
		{"duplicate deep inside", strings.Repeat(`[{"a":`, 3) + `{"b":1,"b":2}` + strings.Repeat("}]", 3), ptr("/0/a/0/a/0/a/b"), nil},
		{"duplicate among many members", manyMembers(100) + `,"m7":0}`, ptr("/m7"), nil},
		{"many members, none twice", manyMembers(100) + "}", nil, nil},
		{"quotes and escapes in values", `{"a":"\"b\":1,","b":"}{[","c":["\\"],"a\"":1}`, nil, nil},
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

func manyMembers(n int) string {
	var b strings.Builder
	b.WriteString(`{"m0":0`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `,"m%d":%d`, i, i)
	}
	return b.String()
}

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

// FuzzDecode: the byte scanner finds a member named twice exactly when a walk over the decoder's
// tokens does, at the same pointer, and Decode never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `[{"a":{"b":[1,{"c":1,"c":2}]}}]`, `{"a\"":1,"a\\":2,"a\"":3}`,
		`{"p\u0069d":1,"pid":2}`, `{"a":"{\"a\":1,\"a\":2}"}`, `{"x":[],"y":{},"x":null}`, `"s"`, `12`, `{`, `{"a\u0000":1,"a\u0000":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := Decode(body)
		var dup *DuplicateError
		want, wantFound := tokenDuplicate(body)
		switch {
		case errors.As(err, &dup):
			if !wantFound || dup.Pointer != want {
				t.Fatalf("scanner: duplicate at %q; token walk: %q %v", dup.Pointer, want, wantFound)
			}
		case err == nil && wantFound:
			t.Fatalf("the scanner missed the duplicate at %q", want)
		}
	})
}

// tokenDuplicate is the slow reference: walk the decoder's tokens, keep every object's names.
func tokenDuplicate(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	// stuck: a name above was not clean text, so the pointer ends at the object that held it.
	var walk func(ptr string, stuck bool) (string, bool, error)
	walk = func(ptr string, stuck bool) (string, bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return "", false, err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return "", false, nil
		}
		names := map[string]bool{}
		for i := 0; dec.More(); i++ {
			member, memberStuck := ptr+"/"+strconv.Itoa(i), stuck
			if d == '{' {
				kt, err := dec.Token()
				if err != nil {
					return "", false, err
				}
				name := kt.(string)
				member = ptr + "/" + EscapeToken(name)
				if _, bad := textcheck.Check(name, textcheck.Line); bad != nil {
					memberStuck = true
				}
				if names[name] {
					if memberStuck {
						return ptr, true, nil
					}
					return member, true, nil
				}
				names[name] = true
			}
			if memberStuck {
				member = ptr
			}
			if p, found, err := walk(member, memberStuck); found || err != nil {
				return p, found, err
			}
		}
		_, err = dec.Token()
		return "", false, err
	}
	p, found, err := walk("", false)
	return p, found && err == nil
}
