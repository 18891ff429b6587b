package ingest

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"minside/backend/internal/apperr"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/textcheck"
)

// decodeStrict fills dst (a pointer to a record struct) from body and refuses anything the record
// does not define. Unlike json.Decoder.DisallowUnknownFields, which stops at the first unknown
// field and does not say where it was, it walks the whole document and names every unknown field
// and every value of the wrong JSON type by pointer, prefixed with c.base (e.g. "/record"). A
// member named twice is refused too (field.duplicate_member): encoding/json would keep the last one.
//
// Unknown members are field errors like any other: they go into c and decoding goes on, so the
// record's validation adds its own problems and the client sees every bad field in one answer.
// A value of the wrong type, or a member name that is no clean text, stops here (there is nothing
// to validate), with every shape error.
// Malformed JSON is a bad_request with the byte offset; shape errors are invalid (422).
func decodeStrict(body []byte, dst any, c *checker) error {
	base := c.base
	doc, err := strictjson.Decode(body)
	if err != nil {
		return strictjson.Refusal(err, base)
	}
	var fields apperr.Fields
	checkShape(doc, reflect.TypeOf(dst).Elem(), base, &fields)
	if slices.ContainsFunc(fields, func(f apperr.FieldError) bool { return f.Key != "field.unknown" }) {
		return fields.Err()
	}
	c.fields = append(c.fields, fields...)
	// The document is read already: a record of known members only is filled from it. Unknown
	// members are matched case-insensitively by encoding/json, so with any of those (the answer
	// is a refusal anyway) the record is decoded by encoding/json, and its errors are the same.
	if len(fields) == 0 && fill(doc, reflect.ValueOf(dst).Elem()) {
		return nil
	}
	reflect.ValueOf(dst).Elem().SetZero() // fill may have stopped half way
	if err := json.Unmarshal(body, dst); err != nil {
		// The shape was checked; what is left is a number out of range for its Go type.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return apperr.Invalid(append(fields, apperr.Field(base+"/"+strings.ReplaceAll(te.Field, ".", "/"), "field.out_of_range", nil))...)
		}
		return malformed(err, base)
	}
	return nil
}

// decodeMembers splits a bulk line into its members: malformed JSON or anything but an object is a
// bad_request, a member named twice is invalid (field.duplicate_member).
func decodeMembers(line []byte) (map[string]json.RawMessage, error) {
	members, err := strictjson.Members(line)
	if err != nil {
		return nil, strictjson.Refusal(err, "")
	}
	return members, nil
}

// pointerOr names a place in the document; the whole document is the empty pointer (RFC 6901),
// which "/record" + "" turns into the record's own pointer in bulk lines.
func pointerOr(p string) string { return p }

func malformed(err error, base string) error { return strictjson.Refusal(err, pointerOr(base)) }

// checkShape compares a generic JSON value with the Go type it will be decoded into.
func checkShape(v any, t reflect.Type, ptr string, fields *apperr.Fields) {
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return
		}
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "object"})
			return
		}
		known := shapeOf(t).fields
		for _, name := range sortedKeys(obj) {
			if !cleanMemberName(name, ptr, fields) {
				continue
			}
			f, ok := known[name]
			if !ok {
				fields.Add(ptr+"/"+escapePointer(name), "field.unknown", nil)
				continue
			}
			checkShape(obj[name], f.Type, ptr+"/"+escapePointer(name), fields)
		}
	case reflect.Slice:
		if v == nil {
			return
		}
		arr, ok := v.([]any)
		if !ok {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "array"})
			return
		}
		for i, item := range arr {
			checkShape(item, t.Elem(), ptr+"/"+strconv.Itoa(i), fields)
		}
	case reflect.Map:
		if v == nil {
			return
		}
		obj, ok := v.(map[string]any)
		if !ok {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "object"})
			return
		}
		for _, k := range sortedKeys(obj) {
			if cleanMemberName(k, ptr, fields) {
				checkShape(obj[k], t.Elem(), ptr+"/"+escapePointer(k), fields)
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "string"})
		}
	case reflect.Int, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "integer"})
			return
		}
		if _, err := n.Int64(); err != nil {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "integer"})
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			fields.Add(pointerOr(ptr), "field.invalid", map[string]any{"Expected": "boolean"})
		}
	}
}

// fill sets dst from v, a document checkShape found to be of dst's shape with no unknown member,
// as json.Unmarshal would from the document's bytes. It returns false, leaving dst half filled, at
// anything it does not do as encoding/json does (a type that decodes itself, an embedded struct, a
// "string" option, a kind of value the records do not use).
func fill(v any, dst reflect.Value) bool {
	t := dst.Type()
	if t.PkgPath() != "" && t.Kind() != reflect.Struct && decodesItself(t) { // a struct's shape says
		return false
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v == nil {
			dst.SetZero()
			return true
		}
		p := reflect.New(t.Elem())
		dst.Set(p)
		return fill(v, p.Elem())
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		shape := shapeOf(t)
		if !ok || !shape.plain {
			return false
		}
		for name, item := range obj {
			f, ok := shape.fields[name]
			if !ok || !fill(item, dst.Field(f.Index[0])) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if v == nil {
			dst.SetZero()
			return true
		}
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		out := reflect.MakeSlice(t, len(arr), len(arr))
		for i, item := range arr {
			if !fill(item, out.Index(i)) {
				return false
			}
		}
		dst.Set(out)
		return true
	case reflect.Map:
		if v == nil {
			dst.SetZero()
			return true
		}
		obj, ok := v.(map[string]any)
		if !ok || t.Key() != reflect.TypeFor[string]() {
			return false
		}
		out := reflect.MakeMapWithSize(t, len(obj))
		for k, item := range obj {
			elem := reflect.New(t.Elem()).Elem()
			if !fill(item, elem) {
				return false
			}
			out.SetMapIndex(reflect.ValueOf(k), elem)
		}
		dst.Set(out)
		return true
	case reflect.String:
		str, ok := v.(string)
		if ok {
			dst.SetString(str)
		}
		return ok
	case reflect.Int, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		i, err := n.Int64()
		if err != nil || dst.OverflowInt(i) {
			return false
		}
		dst.SetInt(i)
		return true
	case reflect.Bool:
		b, ok := v.(bool)
		if ok {
			dst.SetBool(b)
		}
		return ok
	}
	return false
}

// shape is what checkShape and fill need of a struct type, worked out once per type.
type shape struct {
	fields map[string]reflect.StructField // by JSON name; exported fields only
	// plain: encoding/json reads the struct member by member into its fields, as fill does (it
	// does not decode itself, and has no field embedded or with the "string" option).
	plain bool
}

var shapes sync.Map // reflect.Type → *shape; a type's shape never changes

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	s := &shape{fields: make(map[string]reflect.StructField, t.NumField()), plain: !decodesItself(t)}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s.fields[name] = f
		if f.Anonymous || strings.Contains(opts, "string") {
			s.plain = false
		}
	}
	shapes.Store(t, s)
	return s
}

// decodesItself: encoding/json hands t's values to t's own method.
func decodesItself(t reflect.Type) bool {
	return t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)
}

// cleanMemberName checks a member name (a field or a language code) as one-line text. A bad name
// is reported at the object that holds it: a pointer is shown and logged, so it must never carry
// a control character.
func cleanMemberName(name, object string, fields *apperr.Fields) bool {
	if _, problem := textcheck.Check(name, textcheck.Line); problem != nil {
		fields.Add(pointerOr(object), problem.Key, problem.Data)
		return false
	}
	return true
}

// escapePointer escapes one reference token of an RFC 6901 JSON pointer.
func escapePointer(s string) string { return strictjson.EscapeToken(s) }

// sortedKeys orders an object's members so the error list is stable for clients and tests.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
