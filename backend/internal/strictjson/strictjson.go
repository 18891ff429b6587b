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
	"unicode/utf8"

	"minside/backend/internal/apperr"
	"minside/backend/internal/textcheck"
)

// DuplicateError names the second occurrence of a member by JSON pointer (RFC 6901).
type DuplicateError struct {
	Pointer string
}

func (e *DuplicateError) Error() string { return "strictjson: duplicate member at " + e.Pointer }

// ErrTrailing is returned when the document is followed by more than white space.
var ErrTrailing = errors.New("strictjson: data after the document")

// Decode parses body into nil, bool, json.Number, string, []any or map[string]any. Its errors are
// the decoder's (*json.SyntaxError with the offset, io.ErrUnexpectedEOF), *DuplicateError, or
// ErrTrailing.
func Decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ErrTrailing
	}
	if ptr, found := firstDuplicate(body); found {
		return nil, &DuplicateError{Pointer: ptr}
	}
	return v, nil
}

// frame is one open object or array while scanning.
type frame struct {
	object    bool
	index     int      // arrays: the current element
	expecting bool     // objects: the next string is a member name
	name      []byte   // objects: the member whose value is being read (decoded)
	names     [][]byte // objects: the names seen so far (few: a linear search beats a map)
	seen      map[string]struct{}
}

// manyNames is where an object's names move from a slice to a map, so a body of thousands of
// members costs linear time, not quadratic.
const manyNames = 32

// firstDuplicate scans a document that encoding/json has already accepted (so it is well formed)
// and returns the pointer of the first member named twice. It reads the bytes once, without
// building values: the decoder has done that, and doing it again through json.Decoder.Token costs
// three times as much.
func firstDuplicate(body []byte) (string, bool) {
	stack := make([]frame, 0, 8)
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '{', '[':
			stack = append(stack, frame{object: c == '{', expecting: c == '{'})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if top := &stack[len(stack)-1]; top.object {
				top.expecting = true
			} else {
				top.index++
			}
		case ':':
			stack[len(stack)-1].expecting = false
		case '"':
			end := stringEnd(body, i)
			if top := len(stack) - 1; top >= 0 && stack[top].expecting {
				f := &stack[top]
				f.name = memberName(body[i : end+1])
				if f.has(f.name) {
					return pointerOf(stack), true
				}
				f.add(f.name)
			}
			i = end
		}
	}
	return "", false
}

// stringEnd returns the index of the quote that closes the string starting at body[start].
func stringEnd(body []byte, start int) int {
	for i := start + 1; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(body) - 1
}

// memberName decodes a quoted name as encoding/json does; most names have no escapes and are
// valid UTF-8, and are used in place. The decoder turns each invalid byte into U+FFFD, so "\xc7"
// and "\xff" are the same name to it, and must be to this scanner too.
func memberName(quoted []byte) []byte {
	if inner := quoted[1 : len(quoted)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return inner
	}
	var name string
	_ = json.Unmarshal(quoted, &name) // well formed: the decoder accepted it
	return []byte(name)
}

func (f *frame) has(name []byte) bool {
	if f.seen != nil {
		_, ok := f.seen[string(name)]
		return ok
	}
	for _, n := range f.names {
		if bytes.Equal(n, name) {
			return true
		}
	}
	return false
}

func (f *frame) add(name []byte) {
	if f.seen == nil && len(f.names) < manyNames {
		f.names = append(f.names, name)
		return
	}
	if f.seen == nil {
		f.seen = make(map[string]struct{}, 2*manyNames)
		for _, n := range f.names {
			f.seen[string(n)] = struct{}{}
		}
		f.names = nil
	}
	f.seen[string(name)] = struct{}{}
}

// pointerOf names the member being read in the innermost object. A name that is not clean text
// ends the pointer at the object that holds it: a pointer is shown and logged, so it never
// carries a control character.
func pointerOf(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		if !f.object {
			b.WriteString("/" + strconv.Itoa(f.index))
			continue
		}
		name := string(f.name)
		if _, bad := textcheck.Check(name, textcheck.Line); bad != nil {
			break
		}
		b.WriteString("/" + EscapeToken(name))
	}
	return b.String()
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
