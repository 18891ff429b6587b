package tiles

import (
	"errors"
	"testing"
	"time"
)

func TestTargetingMatches(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	n := func(v int) *int { return &v }
	born := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	kinds := func(k ...string) func() ([]string, error) { return func() ([]string, error) { return k, nil } }
	elder := Audience{Birth: born(1959, 11, 23), District: "Frogner", OpenKinds: kinds()}  // 67 today
	almost := Audience{Birth: born(1959, 11, 24), District: "Frogner", OpenKinds: kinds()} // 66 until tomorrow
	parent := Audience{Birth: born(1990, 1, 1), District: "Grorud", Children: []time.Time{born(2020, 6, 1)}, OpenKinds: kinds("building_permit")}
	cases := []struct {
		name string
		t    Targeting
		a    Audience
		want bool
	}{
		{"empty targeting matches everyone", Targeting{}, parent, true},
		{"min age reached on the birthday", Targeting{MinAge: n(67)}, elder, true},
		{"min age not yet reached", Targeting{MinAge: n(67)}, almost, false},
		{"max age", Targeting{MaxAge: n(30)}, parent, false},
		{"district listed", Targeting{Districts: []string{"Grorud", "Alna"}}, parent, true},
		{"district not listed", Targeting{Districts: []string{"Alna"}}, elder, false},
		{"child in range", Targeting{ChildAgeMin: n(5), ChildAgeMax: n(7)}, parent, true},
		{"child out of range", Targeting{ChildAgeMin: n(10)}, parent, false},
		{"no children", Targeting{ChildAgeMax: n(17)}, elder, false},
		{"open case kind", Targeting{OpenCaseKinds: []string{"building_permit"}}, parent, true},
		{"no such open case", Targeting{OpenCaseKinds: []string{"care"}}, parent, false},
		{"every condition must hold", Targeting{MinAge: n(30), Districts: []string{"Frogner"}}, parent, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.t.Matches(tc.a, now)
			if err != nil || got != tc.want {
				t.Fatalf("Matches = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := (Targeting{OpenCaseKinds: []string{"x"}}).Matches(Audience{OpenKinds: func() ([]string, error) { return nil, boom }}, now); !errors.Is(err, boom) {
		t.Fatalf("a failing case read gives %v", err)
	}
}
