// Package strictjson reads one JSON document the way encoding/json does (numbers as json.Number),
// but refuses an object that names a member twice. encoding/json keeps the last of two "pid"
// members without a word, so a body could say one thing to a reviewer and another to the server.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"minside/backend/internal/apperr"
	"minside/backend/internal/textcheck"
)

// maxDepth bounds nesting: no document the portal takes is deeper than a few levels, and a body
// of a quarter megabyte of "[" must not become as many stack frames.
const maxDepth = 32

// DuplicateError names the second occurrence of a member by JSON pointer (RFC 6901).
type DuplicateError struct {
	Pointer string
}

func (e *DuplicateError) Error() string { return "strictjson: duplicate member at " + e.Pointer }

var (
	// ErrTrailing is returned when the document is followed by more than white space.
	ErrTrailing = errors.New("strictjson: data after the document")
	// ErrTooDeep is returned for arrays and objects nested more than maxDepth levels.
	ErrTooDeep = errors.New("strictjson: nested too deeply")
)

// Decode parses body into nil, bool, json.Number, string, []any or map[string]any. Its errors are
// the decoder's (*json.SyntaxError with the offset, io.ErrUnexpectedEOF), *DuplicateError, or
// ErrTrailing or ErrTooDeep.
func Decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := value(dec, "", 0)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ErrTrailing
	}
	return v, nil
}

// value reads the value that starts at the decoder's next token; ptr is its pointer.
func value(dec *json.Decoder, ptr string, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxDepth {
			return nil, ErrTooDeep
		}
		if t == '[' {
			arr := []any{}
			for dec.More() {
				v, err := value(dec, ptr+"/"+strconv.Itoa(len(arr)), depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ]
			return arr, err
		}
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name, _ := kt.(string)
			member := ptr + "/" + EscapeToken(name)
			if _, dup := obj[name]; dup {
				if _, bad := textcheck.Check(name, textcheck.Line); bad != nil {
					member = ptr // a pointer is shown and logged: never put a control character in it
				}
				return nil, &DuplicateError{Pointer: member}
			}
			v, err := value(dec, member, depth+1)
			if err != nil {
				return nil, err
			}
			obj[name] = v
		}
		_, err := dec.Token() // }
		return obj, err
	default:
		return t, nil
	}
}

// EscapeToken escapes one reference token of a JSON pointer.
func EscapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// ErrNotObject is returned by Members for a document that is not a JSON object.
var ErrNotObject = errors.New("strictjson: not an object")

// Members splits a JSON object into its members, undecoded, refusing a member named twice at the
// top level (nested values are left to whoever decodes them). It is the cheap check for an
// envelope such as a bulk line, whose record is decoded strictly on its own.
func Members(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, ErrNotObject
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if _, dup := out[name]; dup {
			member := "/" + EscapeToken(name)
			if _, bad := textcheck.Check(name, textcheck.Line); bad != nil {
				member = ""
			}
			return nil, &DuplicateError{Pointer: member}
		}
		out[name] = raw
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ErrTrailing
	}
	return out, nil
}

// Refusal is how the portal answers an error of Decode or Members (or of encoding/json): a member
// named twice is invalid (field.duplicate_member at base + its pointer); anything else is a
// bad_request for malformed JSON, with the pointer of the document (base) and, when known, the
// byte offset. base is "" for a whole body, or e.g. "/record" for a document inside another.
func Refusal(err error, base string) error {
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return apperr.Invalid(apperr.Field(base+dup.Pointer, "field.duplicate_member", nil))
	}
	e := apperr.BadRequest("error.detail.malformed_json").WithExtra("pointer", base).Wrap(err)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		e.WithExtra("offset", se.Offset)
	}
	return e
}

// Unmarshal is json.Unmarshal for a request body that refuses members named twice; its errors are
// already the portal's (see Refusal). Unknown members are ignored, as with json.Unmarshal.
func Unmarshal(body []byte, v any) error {
	if _, err := Decode(body); err != nil {
		return Refusal(err, "")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Refusal(err, "")
	}
	return nil
}
