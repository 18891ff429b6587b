package suggest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/tiles"
)

// timingRules are the benchmark's rules and the shapes they leave out: the clock on either side,
// addDays, a timestamp compared directly, an accumulator, a comparison inside a comprehension
// inside another, and a rule's age beside its date.
func timingRules() []Definition {
	extra := []struct{ subject, condition, why string }{
		{"key", `addDays(now, 30) > key.validUntil && key.status == "active"`, "til {key.validUntil}"},
		{"person", `bookings.exists(b, now > b.startsAt && now < b.endsAt)`, "nå"},
		{"person", `cases.filter(c, daysBetween(c.createdAt, now) < 45).size() >= 2`, "mange nye saker"},
		{"person", `[1, 2].exists(n, bookings.exists(b, b.status == "confirmed" && daysBetween(b.endsAt, now) > n * 7))`, "uker siden"},
		{"child", `child.age < 3 && -daysBetween(birthday(child.birthDate, 2), now) + 10 <= 0`, "{child.age}"},
		{"person", `now >= addDays(person.birthDate, 20000) || now == birthday(person.birthDate, 60)`, "{person.age}"},
	}
	defs := BenchRules(50)
	for i, x := range extra {
		defs = append(defs, Definition{ID: fmt.Sprint("extra-", i), Agency: "oslo", Category: "t", Area: "other", Subject: x.subject,
			Condition: x.condition, Why: map[string]string{"nb": x.why}})
	}
	return defs
}

// The sweep's promise: a person evaluated only on the days nextDue gives has, every day, exactly
// the suggestions they would have if the engine had evaluated them every day. Checked by brute
// force with the engine's own deciding: random households, two years, both ways side by side.
func TestEvaluatingOnDueDaysIsEvaluatingDaily(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(nil, env, nil, nil, false)
	var rules []*compiledRule
	byID := map[string]*compiledRule{}
	for _, d := range timingRules() {
		r, err := env.Compile(d)
		if err != nil {
			t.Fatal(d.Condition, err)
		}
		if r.timing.daily {
			t.Fatalf("%s: daily; every shape here is one timing can follow", d.Condition)
		}
		rules = append(rules, &compiledRule{Rule: r})
		byID[r.ID] = rules[len(rules)-1]
	}
	start := time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	const people, days = 30, 730
	evaluated, suggestions := 0, 0
	for person := range people {
		base := randomHousehold(rng, start, person)
		daily, onDue := simulated{}, simulated{}
		due := int64(0)
		for d := range days {
			// The day's sweep runs at any hour.
			f := base.at(start.AddDate(0, 0, d).Truncate(24 * time.Hour).Add(time.Duration(rng.IntN(24*60)) * time.Minute))
			today := dayNumber(f.Now)
			daily.evaluate(e, env, f, rules, byID)
			if today >= due {
				f := base.at(f.Now)
				vars := onDue.evaluate(e, env, f, rules, byID)
				due = nextDue(f, vars, rules, today)
				evaluated++
			}
			if !reflect.DeepEqual(daily, onDue) {
				t.Fatalf("person %d on %s: evaluated daily %v\nbut on due days %v\n(next due %s)", person, f.Now.Format(time.DateOnly),
					daily, onDue, epoch.AddDate(0, 0, int(due)).Format(time.DateOnly))
			}
		}
		suggestions += len(daily)
	}
	// The point of it: far fewer evaluations than one a day, on households with suggestions.
	if evaluated > people*days/4 || suggestions < people {
		t.Fatalf("%d evaluations of %d person-days, %d suggestions", evaluated, people*days, suggestions)
	}
	t.Logf("%d of %d person-days evaluated; %d suggestions", evaluated, people*days, suggestions)
}

// simulated is one person's suggestions as the engine keeps them: state and why-values by rule
// and occurrence.
type simulated map[string]Row

// evaluate runs the engine's deciding over f on the day's events and applies what it writes.
func (s simulated) evaluate(e *Engine, env *Env, f *Facts, rules []*compiledRule, byID map[string]*compiledRule) *Activation {
	vars := env.Activation(f)
	var rows []Row
	for _, k := range slices.Sorted(maps.Keys(s)) {
		rows = append(rows, s[k])
	}
	w := &writes{now: f.Now}
	e.person(f, vars, rules, byID, nil, dayEvents(f), rows, w, &Outcome{})
	for _, group := range [][]Row{w.made, w.withdrawn, w.refreshed} {
		for _, r := range group {
			s[r.RuleID+"/"+r.Occurrence] = Row{RuleID: r.RuleID, Occurrence: r.Occurrence, State: r.State, Facts: r.Facts, Event: r.Event}
		}
	}
	return vars
}

// household is one person's facts without the clock.
type household struct{ f Facts }

func (h household) at(now time.Time) *Facts {
	f := h.f
	f.Now = now
	f.Person.Age = int64(tiles.AgeAt(f.Person.BirthDate, now))
	f.Children = slices.Clone(h.f.Children)
	for i := range f.Children {
		f.Children[i].Age = int64(tiles.AgeAt(f.Children[i].BirthDate, now))
	}
	return &f
}

func randomHousehold(rng *rand.Rand, start time.Time, n int) household {
	around := func(days int) time.Time {
		return start.AddDate(0, 0, rng.IntN(2*days)-days).Truncate(24 * time.Hour)
	}
	f := Facts{Person: Person{ID: fmt.Sprint("p", n), Name: "P", BirthDate: around(365*40).AddDate(-30, 0, 0),
		District: []string{"Grorud", "Alna"}[rng.IntN(2)]}}
	if n%5 == 0 { // some are about to turn 67
		f.Person.BirthDate = around(400).AddDate(-67, 0, 0)
	}
	for i := range rng.IntN(4) {
		f.Children = append(f.Children, Child{ID: fmt.Sprint("c", i), Name: "C", BirthDate: around(365*4).AddDate(-3, 0, 0), Guardian: rng.IntN(4) > 0})
	}
	kinds := []string{"building_permit", "kindergarten_admission", "home_care", "grant"}
	statuses := []string{"in_progress", "awaiting_citizen", "decided"}
	for i := range rng.IntN(5) {
		c := Case{ID: fmt.Sprint("k", i), Kind: kinds[rng.IntN(len(kinds))], Status: statuses[rng.IntN(len(statuses))],
			CreatedAt: around(200), UpdatedAt: around(200)}
		if c.Status == "decided" {
			c.Decided, c.DecidedAt = true, c.UpdatedAt
		}
		f.Cases = append(f.Cases, c)
	}
	for i := range rng.IntN(4) {
		s := around(300).Add(time.Duration(rng.IntN(20)) * time.Hour)
		f.Bookings = append(f.Bookings, Booking{ID: fmt.Sprint("b", i), Resource: "R", Status: []string{"confirmed", "cancelled"}[rng.IntN(2)],
			StartsAt: s, EndsAt: s.Add(time.Duration(1+rng.IntN(30)) * time.Hour)})
	}
	for i := range rng.IntN(3) {
		until := around(300)
		f.Keys = append(f.Keys, Key{ID: fmt.Sprint("key", i), Facility: "F", Status: []string{"active", "suspended"}[rng.IntN(2)],
			ValidFrom: until.AddDate(0, -6, 0), ValidUntil: until})
	}
	return household{f: f}
}

// Uses of the clock timing cannot follow make a rule daily; the ones it can are flips.
func TestTimingTellsDailyFromFlips(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		subject, condition, why string
		daily                   bool
		flips                   int
	}{
		{"person", `person.district == "Alna"`, "{person.age}", false, 0},
		{"person", `person.age >= 67`, "x", false, 0}, // ages are the facts' birthdays
		{"child", `daysBetween(now, birthday(child.birthDate, 6)) <= 90`, "{birthday(child.birthDate, 6)}", false, 1},
		{"person", `bookings.exists(b, b.endsAt < now && daysBetween(b.endsAt, now) <= 14)`, "x", false, 2},
		{"person", `daysBetween(now, person.birthDate) == daysBetween(now, person.birthDate)`, "x", false, 0},
		{"person", `true`, "{daysBetween(person.birthDate, now)} dager", true, 0},
		{"person", `now.getDayOfWeek() == 1`, "x", true, 0},
		{"person", `now - duration("24h") > person.birthDate`, "x", true, 0},
		{"person", `daysBetween(now, person.birthDate) * 2 > 10`, "x", true, 0},
		{"person", `daysBetween(person.birthDate, now) % 7 == 0`, "x", true, 0},
		{"person", `bookings.filter(b, b.endsAt < now).exists(b, b.status == "confirmed")`, "x", false, 1},
		{"person", `bookings.filter(b, b.endsAt < now).exists(b, b.startsAt < now)`, "x", true, 0},
	} {
		r, err := env.Compile(Definition{ID: "r", Subject: c.subject, Condition: c.condition, Why: map[string]string{"nb": c.why}})
		if err != nil {
			t.Fatal(c.condition, err)
		}
		if r.timing.daily != c.daily || len(r.timing.flips) != c.flips {
			var srcs []string
			for _, p := range r.timing.flips {
				srcs = append(srcs, fmt.Sprint(p.prg.Source, "+", p.offset))
			}
			t.Errorf("%s / %s: daily %v, %d flips %q; want daily %v, %d flips", c.condition, c.why, r.timing.daily, len(srcs), srcs, c.daily, c.flips)
		}
	}
}

// Rules that differ only in their numbers share one flip program, evaluated once per person.
func TestRulesDifferingInNumbersShareTheirFlips(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	var flips []flip
	for _, n := range []int{10, 17} {
		r, err := env.Compile(Definition{ID: "r", Subject: "key", Condition: fmt.Sprintf(`key.status == "active" && daysBetween(now, key.validUntil) <= %d + 3`, n)})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.timing.flips) != 1 {
			t.Fatalf("%d flips, want 1", len(r.timing.flips))
		}
		flips = append(flips, r.timing.flips[0])
	}
	if flips[0].prg != flips[1].prg || flips[0].offset != -13 || flips[1].offset != -20 {
		t.Fatalf("flips %q%+d and %q%+d: want one program, offsets -13 and -20",
			flips[0].prg.Source, flips[0].offset, flips[1].prg.Source, flips[1].offset)
	}
}
