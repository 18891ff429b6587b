package store

import (
	"slices"
	"testing"
	"time"
)

// bindPostgres numbers the placeholders it binds and gives up, leaving the query to Bun, on
// anything Bun would read differently.
func TestBindPostgresNumbersPlaceholdersOrLeavesTheQueryToBun(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 0, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		query string
		args  []any
		want  string // "" when the query is left to Bun
		bound []any
	}{
		{"SELECT 1", nil, "SELECT 1", nil},
		{"?", []any{"a"}, "$1", []any{"a"}},
		{"a = ? AND b IN (?) AND c > ?", []any{int64(7), In([]string{"x", "y"}), at},
			"a = $1 AND b IN ($2, $3) AND c > $4", []any{int64(7), "x", "y", at.UTC()}},
		{"b IN (?) OR ok = ?", []any{In([]int{}), true}, "b IN (NULL) OR ok = $1", []any{true}},
		{"a = ? -- trailing text", []any{1}, "a = $1 -- trailing text", []any{1}},
		{`a = '\?'`, nil, "", nil},         // an escaped placeholder
		{"a = ?name", []any{"x"}, "", nil}, // a named placeholder
		{"a = ?0", []any{"x"}, "", nil},    // a numbered one
		{"a = ? AND b = ?", []any{"x"}, "", nil},
		{"a = ?", []any{"x", "y"}, "", nil},
		{"a = ?", []any{3.5}, "", nil}, // a float is formatted by Bun
		{"a IN (?)", []any{In([]float64{1})}, "", nil},
	}
	for _, tc := range tests {
		st, ok := bindPostgres(tc.query, tc.args)
		if tc.want == "" {
			if ok {
				t.Errorf("%q: bound as %q, want it left to Bun", tc.query, st.SQL)
			}
			continue
		}
		if !ok || st.SQL != tc.want || !slices.Equal(st.Args, tc.bound) || !st.prepared {
			t.Errorf("%q = %q %v (%v), want %q %v", tc.query, st.SQL, st.Args, ok, tc.want, tc.bound)
		}
	}
}
