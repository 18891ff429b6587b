package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"

	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
)

// DecodePrefsInput parses a PUT body member by member, so every bad member, nested ones included,
// is named by its JSON pointer in one 422 (unknown members are refused, so a typo is not silently
// ignored). `"quietHours": null` switches quiet hours off and keeps their times.
func DecodePrefsInput(body []byte) (PrefsInput, error) {
	var in PrefsInput
	members, err := objectOf(body)
	if err != nil {
		return in, apperr.BadRequest("error.detail.malformed_json").Wrap(err)
	}
	if members == nil {
		return in, apperr.Invalid(apperr.Field("", "field.invalid", map[string]any{"Expected": "object"}))
	}
	var fields apperr.Fields
	for _, name := range sortedKeys(members) {
		raw, ptr := members[name], "/"+escapePointer(name)
		switch name {
		case "language":
			decodeMember(raw, &in.Language, ptr, &fields)
		case "quietHours":
			in.QuietHours = decodeQuietHours(raw, &fields)
		case "channels":
			in.Channels = decodeChannels(raw, &fields)
		case "representedNotifications":
			decodeMember(raw, &in.RepresentedNotifications, ptr, &fields)
		case "suggestions":
			in.Suggestions = decodeSuggestions(raw, &fields)
		default:
			fields.Add(ptr, "field.unknown", nil)
		}
	}
	return in, fields.Err()
}

func decodeQuietHours(raw json.RawMessage, fields *apperr.Fields) *QuietHoursInput {
	off := false
	if isNull(raw) {
		return &QuietHoursInput{Enabled: &off}
	}
	members, err := objectOf(raw)
	if err != nil || members == nil {
		fields.Add("/quietHours", "field.invalid", map[string]any{"Expected": "object"})
		return nil
	}
	var q QuietHoursInput
	for _, name := range sortedKeys(members) {
		ptr := "/quietHours/" + escapePointer(name)
		switch name {
		case "enabled":
			decodeMember(members[name], &q.Enabled, ptr, fields)
		case "start":
			decodeMember(members[name], &q.Start, ptr, fields)
		case "end":
			decodeMember(members[name], &q.End, ptr, fields)
		default:
			fields.Add(ptr, "field.unknown", nil)
		}
	}
	return &q
}

func decodeSuggestions(raw json.RawMessage, fields *apperr.Fields) *SuggestionPrefsInput {
	members, err := objectOf(raw)
	if err != nil || members == nil {
		fields.Add("/suggestions", "field.invalid", map[string]any{"Expected": "object"})
		return nil
	}
	var in SuggestionPrefsInput
	for _, name := range sortedKeys(members) {
		ptr := "/suggestions/" + escapePointer(name)
		switch name {
		case "off":
			decodeMember(members[name], &in.Off, ptr, fields)
		case "offAgencies":
			decodeMember(members[name], &in.OffAgencies, ptr, fields)
		default:
			fields.Add(ptr, "field.unknown", nil)
		}
	}
	return &in
}

func decodeChannels(raw json.RawMessage, fields *apperr.Fields) map[string]citizens.Channel {
	if isNull(raw) {
		return nil
	}
	categories, err := objectOf(raw)
	if err != nil || categories == nil {
		fields.Add("/channels", "field.invalid", map[string]any{"Expected": "object"})
		return nil
	}
	out := make(map[string]citizens.Channel, len(categories))
	for _, cat := range sortedKeys(categories) {
		ptr := "/channels/" + escapePointer(cat)
		members, err := objectOf(categories[cat])
		if err != nil || members == nil {
			fields.Add(ptr, "field.invalid", map[string]any{"Expected": "object"})
			continue
		}
		var ch citizens.Channel
		for _, name := range sortedKeys(members) {
			switch name {
			case "push":
				decodeMember(members[name], &ch.Push, ptr+"/push", fields)
			case "inApp":
				decodeMember(members[name], &ch.InApp, ptr+"/inApp", fields)
			default:
				fields.Add(ptr+"/"+escapePointer(name), "field.unknown", nil)
			}
		}
		out[cat] = ch
	}
	return out
}

// decodeMember reads one JSON value into dst, naming ptr when it has the wrong type.
func decodeMember(raw json.RawMessage, dst any, ptr string, fields *apperr.Fields) {
	if err := json.Unmarshal(raw, dst); err != nil {
		fields.Add(ptr, "field.invalid", nil)
	}
}

// objectOf splits a JSON object into its members; nil without error when the value is not an
// object, an error when it is not JSON or names a member twice.
func objectOf(raw []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, seen := members[name]; seen {
			return nil, errors.New("notify: member named twice: " + name)
		}
		members[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("notify: data after the JSON object")
	}
	return members, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
