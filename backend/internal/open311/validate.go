package open311

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/textcheck"
)

// maxAttributeText bounds a string or text answer, like a description.
const maxAttributeText = maxDescription

// Validate checks req's attributes against the service's definition and puts them in canonical
// form: a required attribute must be answered, a number must be a number, a datetime a W3C date
// and time (kept as RFC 3339), a list answer must be one of the list's keys (one only for a
// singlevaluelist). Answers to attributes the definition does not have, or that only inform
// (variable false), are dropped rather than refused: clients such as FixMyStreet send extra
// attributes of their own (title, report_url, …) to every server. Field errors name the
// parameter, e.g. "attribute[WHISHETN]". On error req is unchanged.
func Validate(def ServiceDefinition, req *NewRequest) error {
	var fields []apperr.FieldError
	answers := map[string][]string{}
	for _, a := range def.Attributes {
		if !a.Variable {
			continue
		}
		param := "attribute[" + a.Code + "]"
		values := nonEmpty(req.Attributes[a.Code])
		if len(values) == 0 {
			if a.Required {
				fields = append(fields, apperr.Field(param, "field.required", nil))
			}
			continue
		}
		canonical, field := checkAnswer(a, values)
		if field != nil {
			field.Pointer = param
			fields = append(fields, *field)
			continue
		}
		answers[a.Code] = canonical
	}
	if len(fields) > 0 {
		return apperr.Invalid(sortFields(fields)...)
	}
	req.Attributes = answers
	return nil
}

// checkAnswer checks the answer to one attribute by its datatype; an unknown datatype is read
// as a string.
func checkAnswer(a Attribute, values []string) ([]string, *apperr.FieldError) {
	refuse := func(key string, data map[string]any) ([]string, *apperr.FieldError) {
		f := apperr.Field("", key, data)
		return nil, &f
	}
	if a.Datatype == DatatypeMultiValueList {
		var keys []string
		seen := map[string]bool{}
		for _, v := range values {
			if !hasKey(a.Values, v) {
				return refuse("field.invalid_enum", map[string]any{"Allowed": keyList(a.Values)})
			}
			if !seen[v] {
				seen[v] = true
				keys = append(keys, v)
			}
		}
		return keys, nil
	}
	if len(values) > 1 {
		return refuse("field.duplicate_member", nil)
	}
	v := values[0]
	switch a.Datatype {
	case DatatypeSingleValueList:
		if !hasKey(a.Values, v) {
			return refuse("field.invalid_enum", map[string]any{"Allowed": keyList(a.Values)})
		}
	case DatatypeNumber:
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return refuse("field.invalid", nil)
		}
		v = strconv.FormatFloat(n, 'f', -1, 64)
	case DatatypeDatetime:
		t, err := ParseDatetime(strings.TrimSpace(v))
		if err != nil {
			return refuse("field.invalid_time", nil)
		}
		v = t.Format(time.RFC3339)
	case DatatypeText:
		var problem *textcheck.Problem
		if v, problem = textcheck.Check(v, textcheck.Text.Limit(maxAttributeText)); problem != nil {
			return refuse(problem.Key, problem.Data)
		}
	default:
		var problem *textcheck.Problem
		if v, problem = textcheck.Check(strings.TrimSpace(v), textcheck.Line.Limit(maxAttributeText)); problem != nil {
			return refuse(problem.Key, problem.Data)
		}
	}
	return []string{v}, nil
}

// nonEmpty drops empty values: the specification treats an empty parameter as one not sent.
func nonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

func hasKey(values []Value, key string) bool {
	for _, v := range values {
		if v.Key == key {
			return true
		}
	}
	return false
}

func keyList(values []Value) string {
	keys := make([]string, len(values))
	for i, v := range values {
		keys[i] = v.Key
	}
	return strings.Join(keys, ", ")
}

// sortFields orders field errors by parameter, so the same input always gets the same answer
// (attributes come from a map).
func sortFields(fields []apperr.FieldError) []apperr.FieldError {
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Pointer < fields[j].Pointer })
	return fields
}
