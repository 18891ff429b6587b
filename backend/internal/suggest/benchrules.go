package suggest

import "fmt"

// BenchRules are n rules of the shapes a municipality writes: ages and districts, children's
// birthdays, decided cases, expiring keys, ended bookings, counts over lists — ten shapes, again
// and again with other numbers. The benchmarks of one evaluation and of the city-wide
// sweep use them.
func BenchRules(n int) []Definition {
	shapes := []struct {
		subject   string
		events    []string
		condition string
		why       string
	}{
		{"person", nil, `person.age >= %d && person.district == "Grorud"`, "fordi du er {person.age} år og bor i {person.district}"},
		{"child", nil, `child.guardian && daysBetween(now, birthday(child.birthDate, 6)) <= %d`, "fordi {child.name} fyller 6 år {birthday(child.birthDate, 6)}"},
		{"case", []string{"case.decided"}, `case.kind == "building_permit" && case.decided && %d > 0`, "fordi byggesaken ble avgjort {case.decidedAt}"},
		{"person", nil, `cases.exists(c, c.kind == "kindergarten_admission" && c.status == "decided") && person.age < %d`, "fordi du har fått barnehageplass"},
		{"key", []string{"key.expiring"}, `key.status == "active" && daysBetween(now, key.validUntil) <= %d`, "fordi nøkkelen til {key.facility} går ut {key.validUntil}"},
		{"person", nil, `bookings.exists(b, b.status == "confirmed" && daysBetween(b.endsAt, now) <= %d && b.endsAt < now)`, "fordi du nylig hadde en booking"},
		{"person", nil, `person.age >= 67 + %d && !cases.exists(c, c.kind == "home_care")`, "fordi du er {person.age} år"},
		{"booking", []string{"booking.ended"}, `booking.status == "confirmed" && %d > 0`, "fordi bookingen av {booking.resource} er over"},
		{"person", nil, `cases.filter(c, !c.decided).size() >= %d + 3`, "fordi du har flere saker under behandling"},
		{"case", nil, `case.status == "awaiting_citizen" && daysBetween(case.updatedAt, now) > %d`, "fordi saken har ventet på deg siden {case.updatedAt}"},
	}
	out := make([]Definition, n)
	for i := range out {
		s := shapes[i%len(shapes)]
		param := 10 + 7*(i/len(shapes))
		out[i] = Definition{ID: fmt.Sprint("bench-", i), Agency: "oslo", Category: "bench", Area: "other", Subject: s.subject,
			Events: s.events, Condition: fmt.Sprintf(s.condition, param), Why: map[string]string{"nb": s.why}}
	}
	return out
}
