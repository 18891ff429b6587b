package suggest_test

import (
	"testing"
	"time"

	"minside/backend/internal/suggest"
)

func TestLinkOfFillsPrefillFromTheSuggestionsValues(t *testing.T) {
	t.Parallel()
	born := time.Date(2021, 8, 14, 0, 0, 0, 0, time.UTC)
	values := map[string]suggest.Value{"child.name": {Text: "Jonas Ås"}, "child.birthDate": {Date: &born}}
	cases := []struct {
		name string
		a    suggest.Action
		want string
	}{
		{"no prefill", suggest.Action{Type: "link", Link: "https://oslo.kommune.no/skole"}, "https://oslo.kommune.no/skole"},
		{"prefill joins the query", suggest.Action{Type: "link", Link: "https://oslo.kommune.no/skole?src=minside",
			Prefill: map[string]string{"barn": "{child.name}", "fodt": "{child.birthDate}"}},
			"https://oslo.kommune.no/skole?barn=Jonas+%C3%85s&fodt=2021-08-14&src=minside"},
		{"an empty value is left out", suggest.Action{Type: "link", Link: "https://oslo.kommune.no/skole",
			Prefill: map[string]string{"x": "{child.missing}"}}, "https://oslo.kommune.no/skole"},
		{"no link", suggest.Action{Type: "renew_key"}, ""},
	}
	for _, c := range cases {
		if got := suggest.LinkOf(c.a, values); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
