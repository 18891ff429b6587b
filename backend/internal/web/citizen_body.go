package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"minside/backend/internal/apperr"
)

// objectMembers reads a citizen's JSON body that must be one object whose members are all among
// known, each at most once, and answers their raw values. Malformed JSON is a 400; a body that is
// not an object is a 422 on "" (the whole document, RFC 6901); an unknown or repeated member is a
// 422 on its pointer. A repeated member matters: decoders keep the last one, a reader the first.
func objectMembers(body []byte, known ...string) (map[string]json.RawMessage, error) {
	malformed := func(err error) error { return apperr.BadRequest("error.detail.malformed_json").Wrap(err) }
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, apperr.Invalid(apperr.Field("", "field.invalid", map[string]any{"Expected": "object"}))
	}
	members := map[string]json.RawMessage{}
	var fields apperr.Fields
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, malformed(err)
		}
		pointer := "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
		switch _, seen := members[name]; {
		case !slices.Contains(known, name):
			fields.Add(pointer, "field.unknown", nil)
		case seen:
			fields.Add(pointer, "field.duplicate", nil)
		}
		members[name] = raw
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, malformed(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, malformed(errors.New("web: data after the JSON object"))
	}
	return members, fields.Err()
}
