package console

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"minside/backend/internal/apperr"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/tiles"
)

// Districts lists the districts an editor may target, for the console's picker.
func (s *Service) Districts() []string { return tiles.Districts }

// canonicalDistricts spells every district of a targeting as the known list does and refuses
// unknown ones at ptr/<i> (ptr is the pointer of the districts list). Targeting compares districts
// exactly: without this, "frogner" would be saved and reach nobody, silently.
func canonicalDistricts(districts []string, ptr string) ([]string, error) {
	var fields apperr.Fields
	out := make([]string, len(districts))
	for i, d := range districts {
		known, ok := tiles.CanonicalDistrict(d)
		if !ok {
			fields.Add(ptr+"/"+strconv.Itoa(i), "field.invalid_enum", map[string]any{"Allowed": strings.Join(tiles.Districts, ", ")})
			continue
		}
		out[i] = known
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// withCanonicalDistricts rewrites targeting.districts of a tile body (see canonicalDistricts). A
// body whose districts are not a list of strings is left to the tile validation to explain.
func withCanonicalDistricts(body []byte, ptr string) ([]byte, error) {
	// Re-encoding keeps one of two members of the same name: refuse those first, as the tile
	// validation would have.
	var dup *strictjson.DuplicateError
	if _, err := strictjson.Decode(body); errors.As(err, &dup) {
		return nil, strictjson.Refusal(err, ptr)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil || top["targeting"] == nil {
		return body, nil
	}
	var targeting map[string]json.RawMessage
	var districts []string
	if json.Unmarshal(top["targeting"], &targeting) != nil || targeting["districts"] == nil ||
		json.Unmarshal(targeting["districts"], &districts) != nil {
		return body, nil
	}
	districts, err := canonicalDistricts(districts, ptr+"/targeting/districts")
	if err != nil {
		return nil, err
	}
	if targeting["districts"], err = json.Marshal(districts); err != nil {
		return nil, err
	}
	if top["targeting"], err = json.Marshal(targeting); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}
