package store

import (
	"slices"
	"testing"
	"time"
)

// A binder numbers the placeholders it binds and gives up, leaving the query to Bun, on anything Bun
// would read differently.
func TestBinderNumbersPlaceholdersOrLeavesTheQueryToBun(t *testing.T) {
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
		var bd binder
		ok := bd.add(tc.query, tc.args)
		st := bd.statement()
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

// The queries of one statement are numbered on from each other, each in its JSON column, and one
// query the binder gives up on gives up the statement.
func TestSelectOfNumbersParametersAcrossItsQueries(t *testing.T) {
	items := []read{
		{query: "SELECT a FROM t WHERE a = ?", args: []any{"x"}},
		{query: "SELECT b FROM u WHERE b IN (?) AND c > ?", args: []any{In([]int64{1, 2}), int64(3)}},
	}
	var bd binder
	if !selectOf(&bd.sql, items, bd.add) {
		t.Fatal("not bound")
	}
	st := bd.statement()
	want := "SELECT (SELECT COALESCE(json_agg(q), '[]'::json) FROM (SELECT a FROM t WHERE a = $1) AS q) AS r0, " +
		"(SELECT COALESCE(json_agg(q), '[]'::json) FROM (SELECT b FROM u WHERE b IN ($2, $3) AND c > $4) AS q) AS r1"
	if st.SQL != want || !slices.Equal(st.Args, []any{"x", int64(1), int64(2), int64(3)}) || !st.prepared {
		t.Errorf("got %q %v, want %q", st.SQL, st.Args, want)
	}

	items = append(items, read{query: "SELECT c FROM v WHERE c = ?", args: []any{3.5}}) // a float: Bun's
	var again binder
	if selectOf(&again.sql, items, again.add) {
		t.Error("bound a statement with a float in it; Bun formats floats")
	}
}
