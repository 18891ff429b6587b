package suggest

import (
	"maps"
	"net/url"
	"slices"
)

// LinkOf is the link following a suggestion opens: the action's link with its prefill parameters
// filled from the suggestion's own values (the ones its why-text shows), so the agency's form
// starts where the citizen is. A link that does not parse is given back as it is.
func LinkOf(a Action, values map[string]Value) string {
	if a.Link == "" || len(a.Prefill) == 0 {
		return a.Link
	}
	u, err := url.Parse(a.Link)
	if err != nil {
		return a.Link
	}
	q := u.Query()
	for _, param := range slices.Sorted(maps.Keys(a.Prefill)) {
		if v := Plain(Fill(a.Prefill[param], values)); v != "" {
			q.Set(param, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
