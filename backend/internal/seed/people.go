package seed

import (
	"fmt"
	"time"

	"minside/backend/internal/pid"
)

// Person is a demo citizen the dev identity provider offers as a one-click login. PID is a
// synthetic test-register number (month + 80); it is never stored, only its pseudonym is.
type Person struct {
	Name string
	PID  string
	Note string // what this person shows in the demo, in Norwegian like the login page
}

// persona is one demo citizen: a fixed birth date keeps the synthetic number, and so the login
// page, the same on every start.
type persona struct {
	key, name, district, note string
	born                      time.Time
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// personas of the demo municipality, in the order the login page lists them.
var personas = []persona{
	{"kari", "Kari Nordmann", "Frogner", "forelder med to barn; frist om 3 dager (barnehageplass), saker, booking og nøkkel fra fire etater", date(1986, time.March, 14)},
	{"ola", "Ola Nordmann", "Frogner", "forelder med to barn; byggesak som venter på ham, bestilt møterom med nøkkel", date(1984, time.November, 2)},
	{"emma", "Emma Nordmann", "Frogner", "11 år (mindreårig): skolesak, foreldrene ser den", date(2015, time.June, 21)},
	{"jonas", "Jonas Nordmann", "Frogner", "4 år (mindreårig): barnehageplass", date(2022, time.February, 9)},
	{"aisha", "Aisha Khan", "Grünerløkka", "mor til Yusuf (13); var verge for Sara til hun fylte 18", date(1979, time.August, 30)},
	{"sara", "Sara Khan", "Grünerløkka", "fylte 18 nylig: foreldrenes foreldreansvar er avsluttet", date(2008, time.September, 17)},
	{"yusuf", "Yusuf Khan", "Grünerløkka", "13 år (mindreårig): søknad til ungdomsklubb, nøkkel til meråpent bibliotek", date(2013, time.January, 25)},
	{"ingrid", "Ingrid Hansen", "Nordstrand", "85 år: sykehjemssøknad, hjemmetjeneste, trygghetsalarm-flis", date(1941, time.April, 3)},
	{"lars", "Lars Hansen", "Sagene", "har fullmakt for mor (helse)", date(1966, time.October, 12)},
	{"berit", "Berit Johansen", "Stovner", "ga en fullmakt som er utløpt", date(1949, time.December, 8)},
	{"per", "Per Johansen", "Alna", "hadde fullmakt for mor (utløpt); badmintonbane i morgen", date(1974, time.May, 19)},
	{"mohammed", "Mohammed Ali", "Stovner", "byggesak avgjort, nøkkel til minigjenvinningsstasjon", date(1977, time.July, 7)},
	{"lan", "Nguyen Thi Lan", "Gamle Oslo", "bruker meråpent bibliotek: aktiv nøkkel og grupperom", date(1991, time.February, 27)},
	{"piotr", "Piotr Kowalski", "Bjerke", "idrettshall hver uke, en booking kan ikke avbestilles", date(1987, time.September, 4)},
	{"olena", "Olena Shevchenko", "Gamle Oslo", "oversetter for nordsamisk og ukrainsk", date(1993, time.March, 31)},
	{"annelise", "Anne-Lise Berg", "Frogner", "redaktør for Deichman bibliotek (tjenestefliser)", date(1971, time.January, 15)},
	{"sigrid", "Sigrid Bakken", "Sagene", "student: avbestilt lesesalplass, utløpt nøkkel, uleste varsler", date(2002, time.November, 11)},
	{"erik", "Erik Solberg", "Nordstrand", "avsluttet sak og grillplass om noen dager", date(1960, time.June, 6)},
	{"fatima", "Fatima Hassan", "Alna", "mor til Amina (5), barnehagesøknad under behandling", date(1990, time.October, 23)},
	{"ahmed", "Ahmed Hassan", "Alna", "far til Amina (5)", date(1988, time.April, 14)},
	{"amina", "Amina Hassan", "Alna", "5 år (mindreårig)", date(2021, time.May, 2)},
	{"maret", "Máret Eira", "Sagene", "foretrekker nordsamisk; søknad om kulturstipend", date(1982, time.August, 19)},
	{"mari", "Mari Haugen", "Bjerke", "ny innbygger uten saker: viser tom oversikt og forslag", date(1956, time.February, 5)},
	{"jan", "Jan Eriksen", "Grünerløkka", "trenger svar fra ham innen få dager (hjemmetjeneste)", date(1948, time.September, 29)},
}

// syntheticOnly parses seeded numbers: they are synthetic by construction, whatever the
// directory accepts at login (production refuses synthetic numbers there).
var syntheticOnly = pid.Options{AllowSynthetic: true}

// People lists the demo persons with their synthetic numbers, for the dev login page.
func People() []Person {
	out := make([]Person, 0, len(personas))
	for _, p := range personas {
		out = append(out, Person{Name: p.name, PID: mustDemoPID(p.born), Note: p.note})
	}
	return out
}

// demoPID is the first synthetic number for born counting down from the top of the century's
// individual range (499 or 999), far from the low numbers the scale generator uses.
func demoPID(born time.Time) (string, error) {
	top := 499
	if born.Year() >= 2000 {
		top = 999
	}
	for individual := top; individual > top-100; individual-- {
		if n, err := pid.Synthetic(born, individual); err == nil {
			return n, nil
		}
	}
	return "", fmt.Errorf("seed: no synthetic number for %s", born.Format(time.DateOnly))
}

// mustDemoPID panics only if the fixed persona table is wrong, which the tests catch.
func mustDemoPID(born time.Time) string {
	n, err := demoPID(born)
	if err != nil {
		panic(err)
	}
	return n
}
