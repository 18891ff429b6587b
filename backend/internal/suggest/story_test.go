package suggest_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/seed"
	"minside/backend/internal/suggest"
)

// story is one family's life in the portal: agencies that write through the agency API, the
// demo's rules, and a clock that jumps years.
type story struct {
	t        *testing.T
	p        *apptest.Portal
	agencies map[string]*apptest.Client // by slug
	versions map[string]int64           // by record path
	names    map[string]string          // occurrence id → a name the assertions use
}

// TestTheStoryOfTim drives a family through thirty years of simulated time: the agencies publish the
// demo's rules and write their records through the agency API, the daily sweep runs, and after each
// step the test asserts exactly which suggestions exist and why, and at three steps what the person
// sees through the citizen API.
func TestTheStoryOfTim(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		s := &story{t: t, p: p, agencies: map[string]*apptest.Client{}, versions: map[string]int64{}, names: map[string]string{}}
		for _, slug := range []string{seed.AgencyRegister, seed.AgencyKindergarten, seed.AgencySchool, seed.AgencyBuilding,
			seed.AgencyWaste, seed.AgencyLibrary, seed.AgencyHealth} {
			s.agency(slug)
		}
		for _, r := range seed.StoryRules() {
			s.publish(r)
		}
		lise := apptest.PIDBorn(t, time.Date(1990, 4, 10, 0, 0, 0, 0, time.UTC), 1)
		tim := apptest.PIDBorn(t, time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), 1)

		s.at(2027, 3, 1)
		s.put(seed.AgencyBuilding, "cases/tilbygg", map[string]any{"pid": lise, "title": map[string]string{"nb": "Tilbygg"},
			"kind": "building_permit", "area": "building", "status": "received"})
		s.expect(lise, "a case in progress suggests nothing", map[string]string{})

		s.at(2027, 3, 16) // the register records the birth: Lise is Tim's guardian
		s.put(seed.AgencyRegister, "relations/tim-lise", map[string]any{"kind": "guardian", "representativePid": lise,
			"representativeName": "Lise Berg", "subjectPid": tim, "subjectName": "Tim Berg", "validFrom": "2027-03-15T00:00:00Z"})
		s.name(s.citizenID(tim), "tim")
		s.expect(lise, "a birth", map[string]string{
			"sok-barnehageplass/tim": "active: Fordi Tim Berg ble født 2027-03-15, du er foresatt, og vi ser ingen barnehagesøknad."})
		s.sees(lise, map[string]string{"Søk barnehageplass": "Fordi Tim Berg ble født 2027-03-15, du er foresatt, og vi ser ingen barnehagesøknad. | Barnehageloven § 16 (rett til plass i barnehage)"})
		s.logSays(lise, "nb", "Min side brukte det barnehage har om deg, til et forslag. Fordi Tim Berg ble født 2027-03-15, du er foresatt, og vi ser ingen barnehagesøknad.")
		s.logSays(lise, "en", "Min side used what barnehage holds about you to make a suggestion. Because Tim Berg was born on 2027-03-15, you are their guardian, and we see no kindergarten application.")

		s.at(2027, 4, 2)
		s.put(seed.AgencyKindergarten, "cases/barnehage-tim", map[string]any{"pid": lise, "title": map[string]string{"nb": "Barnehageplass for Tim"},
			"kind": "kindergarten_admission", "area": "kindergarten", "status": "received"})
		withdrawnKindergarten := map[string]string{
			"sok-barnehageplass/tim": "withdrawn: Fordi Tim Berg ble født 2027-03-15, du er foresatt, og vi ser ingen barnehagesøknad."}
		s.expect(lise, "applied", withdrawnKindergarten)
		s.sees(lise, map[string]string{})
		s.at(2027, 5, 20) // the offer, and Lise accepts it: the suggestion stays withdrawn
		s.put(seed.AgencyKindergarten, "cases/barnehage-tim", map[string]any{"pid": lise, "title": map[string]string{"nb": "Barnehageplass for Tim"},
			"kind": "kindergarten_admission", "area": "kindergarten", "status": "awaiting_citizen"})
		s.put(seed.AgencyKindergarten, "cases/barnehage-tim", map[string]any{"pid": lise, "title": map[string]string{"nb": "Barnehageplass for Tim"},
			"kind": "kindergarten_admission", "area": "kindergarten", "status": "decided"})
		s.expect(lise, "offer accepted", withdrawnKindergarten)

		s.at(2028, 6, 10) // the building permit is decided: what comes next
		s.put(seed.AgencyBuilding, "cases/tilbygg", map[string]any{"pid": lise, "title": map[string]string{"nb": "Tilbygg"},
			"kind": "building_permit", "area": "building", "status": "decided"})
		s.name(s.caseID("tilbygg"), "tilbygg")
		afterPermit := map[string]string{
			"sok-barnehageplass/tim":                 withdrawnKindergarten["sok-barnehageplass/tim"],
			"etter-byggesak-vann-avlop/tilbygg":      "active: Fordi byggesaken din ble avgjort 2028-06-10.",
			"etter-byggesak-eiendomsskatt/tilbygg":   "active: Fordi byggesaken din ble avgjort 2028-06-10.",
			"etter-byggesak-avfallsbeholder/tilbygg": "active: Fordi byggesaken din ble avgjort 2028-06-10, og du har ikke et avfallsabonnement for bygget.",
		}
		s.expect(lise, "permit decided", afterPermit)

		s.at(2028, 7, 1) // a waste subscription for the building answers one of them
		s.put(seed.AgencyWaste, "cases/abonnement", map[string]any{"pid": lise, "title": map[string]string{"nb": "Avfallsabonnement"},
			"kind": "waste_subscription", "area": "waste", "status": "received"})
		afterPermit["etter-byggesak-avfallsbeholder/tilbygg"] = "withdrawn" + afterPermit["etter-byggesak-avfallsbeholder/tilbygg"][len("active"):]
		s.expect(lise, "waste subscription", afterPermit)

		s.at(2029, 6, 12) // a year on, the daily sweep lets the rest go
		s.sweep()
		for _, k := range []string{"etter-byggesak-vann-avlop/tilbygg", "etter-byggesak-eiendomsskatt/tilbygg"} {
			afterPermit[k] = "withdrawn" + afterPermit[k][len("active"):]
		}
		s.expect(lise, "a year after the permit", afterPermit)

		s.at(2031, 1, 2) // a library key that works until 20 January
		s.putKey(lise, "2031-01-20T20:00:00Z")
		s.name(s.keyID("lanekort"), "nøkkel")
		s.expect(lise, "a key far from expiry", afterPermit)
		s.at(2031, 1, 8)
		s.sweep()
		afterPermit["forny-nokkel/nøkkel"] = "active: Fordi nøkkelen din til Deichman Tøyen slutter å virke 2031-01-20."
		s.expect(lise, "two weeks before the key expires", afterPermit)
		s.at(2031, 1, 9) // renewed for a year
		s.putKey(lise, "2032-01-20T20:00:00Z")
		afterPermit["forny-nokkel/nøkkel"] = "withdrawn: Fordi nøkkelen din til Deichman Tøyen slutter å virke 2031-01-20."
		s.expect(lise, "key renewed", afterPermit)

		s.at(2032, 3, 15) // Tim turns five: school enrolment
		s.sweep()
		afterPermit["skolestart/tim"] = "active: Fordi Tim Berg fyller 6 år 2033-03-15, og du er foresatt."
		s.expect(lise, "Tim turns five", afterPermit)
		s.sees(lise, map[string]string{"Skolestart: skriv inn barnet": "Fordi Tim Berg fyller 6 år 2033-03-15, og du er foresatt. | Opplæringslova § 2-1 (rett og plikt til grunnskoleopplæring)"})
		s.at(2033, 3, 15) // and six: the year for enrolling has passed
		s.sweep()
		afterPermit["skolestart/tim"] = "withdrawn: Fordi Tim Berg fyller 6 år 2033-03-15, og du er foresatt."
		s.expect(lise, "Tim turns six", afterPermit)

		s.at(2057, 4, 10) // Lise turns 67
		s.sweep()
		afterPermit["trygghetsalarm"] = "active: Fordi du er 67 år."
		afterPermit["hjemmehjelp"] = "active: Fordi du er 67 år og ikke har hjemmetjenester."
		s.expect(lise, "Lise turns 67", afterPermit)
		s.at(2057, 5, 2)
		s.put(seed.AgencyHealth, "cases/hjemmetjeneste", map[string]any{"pid": lise, "title": map[string]string{"nb": "Hjemmetjenester"},
			"kind": "home_care", "area": "health", "status": "received"})
		afterPermit["hjemmehjelp"] = "withdrawn: Fordi du er 67 år og ikke har hjemmetjenester."
		s.expect(lise, "home care applied for", afterPermit)
	})
}

func (s *story) agency(slug string) {
	authorities := []string{}
	if slug == seed.AgencyRegister {
		authorities = append(authorities, "guardian")
	}
	_, key, _, err := s.p.App.Agencies.Create(context.Background(), slug, slug, "", authorities...)
	if err != nil {
		s.t.Fatal(err)
	}
	c := s.p.Anonymous(s.t)
	c.Header.Set("Authorization", "Bearer "+key.Key)
	s.agencies[slug] = c
}

// at moves the clock to ten in the morning of a day, after the portal's own work (sweep chunks its worker claimed)
// is done: a chunk begun on the day before and finished after the jump decided on the old day
// and withdrew what the new day's sweep had just made.
func (s *story) at(y int, m time.Month, d int) {
	s.p.Settle(s.t)
	s.p.Clock.Advance(time.Until(time.Date(y, m, d, 10, 0, 0, 0, time.UTC)) - time.Until(s.p.Clock.Now()))
}

// put writes one record through the agency API, with the next version.
func (s *story) put(slug, path string, body map[string]any) {
	s.t.Helper()
	s.versions[slug+"/"+path]++
	body["version"] = s.versions[slug+"/"+path]
	r := s.agencies[slug].Send(s.t, http.MethodPut, "/api/agency/v1/"+path, body)
	if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusCreated {
		s.t.Fatalf("PUT %s: %d %s", path, r.StatusCode, r.Body)
	}
}

func (s *story) putKey(pid, until string) {
	s.put(seed.AgencyLibrary, "keys/lanekort", map[string]any{"pid": pid, "status": "active",
		"facility": map[string]any{"externalId": "toyen", "name": "Deichman Tøyen", "accessPoints": []map[string]string{{"externalId": "main", "name": "Hovedinngang"}}},
		"windows":  []map[string]string{{"startsAt": "2030-01-01T00:00:00Z", "endsAt": until}}})
}

// publish PUTs one of the demo's rules through the agency API, as its agency does.
func (s *story) publish(r seed.StoryRule) {
	s.t.Helper()
	s.put(r.Agency, "rules/"+r.ID, map[string]any{"status": "published", "category": r.Category, "area": r.Area,
		"appliesTo": r.AppliesTo, "events": r.Events, "condition": r.Condition,
		"texts":  map[string]any{"title": r.Title, "body": r.Body, "why": r.Why, "legalBasis": r.LegalBasis, "actionLabel": r.ActionLabel},
		"action": map[string]any{"type": r.Action.Type, "link": r.Action.Link, "prefill": r.Action.Prefill}})
}

// sees logs in as the person and lists what the citizen API shows them: title → the why-text as
// plain text (dates as ISO; the PWA formats them), with the legal basis after " | ".
func (s *story) sees(number string, want map[string]string) {
	s.t.Helper()
	var page struct {
		Items []struct {
			Title string
			Why   struct {
				Parts      []suggest.WhyPart
				LegalBasis string
			}
		}
	}
	s.p.LoginAs(s.t, number).Get(s.t, "/api/v1/me/suggestions").Status(s.t, http.StatusOK).JSON(s.t, &page)
	got := map[string]string{}
	for _, it := range page.Items {
		got[it.Title] = suggest.Plain(it.Why.Parts) + " | " + it.Why.LegalBasis
	}
	if !maps.Equal(got, want) {
		s.t.Fatalf("the citizen sees\n got  %v\n want %v", got, want)
	}
}

// logSays finds an entry in the person's access log, read in lang.
func (s *story) logSays(number, lang, want string) {
	s.t.Helper()
	c := s.p.LoginAs(s.t, number)
	c.Header.Set("Accept-Language", lang)
	var log struct{ Items []struct{ Text string } }
	c.Get(s.t, "/api/v1/me/access-log").Status(s.t, http.StatusOK).JSON(s.t, &log)
	var texts []string
	for _, e := range log.Items {
		if e.Text == want {
			return
		}
		texts = append(texts, e.Text)
	}
	s.t.Fatalf("the access log (%s) has no %q:\n%s", lang, want, strings.Join(texts, "\n"))
}

func (s *story) sweep() {
	s.t.Helper()
	if _, err := s.p.App.Suggest.Sweep(context.Background(), 2); err != nil {
		s.t.Fatal(err)
	}
}

func (s *story) name(id, name string) { s.names[id] = name }

func (s *story) caseID(external string) string { return s.objectID("cases", external) }
func (s *story) keyID(external string) string  { return s.objectID("keys", external) }
func (s *story) objectID(table, external string) string {
	s.t.Helper()
	var id string
	if err := s.p.DB.NewSelect().Table(table).Column("id").Where("external_id = ?", external).Scan(context.Background(), &id); err != nil {
		s.t.Fatal(err)
	}
	return id
}

// citizenID finds a citizen's person id by their national id, through the table the agency API filled.
func (s *story) citizenID(number string) string {
	s.t.Helper()
	n, err := s.p.App.Citizens.Parse(number)
	if err != nil {
		s.t.Fatal(err)
	}
	c, err := s.p.App.Citizens.Find(context.Background(), s.p.DB, n)
	if err != nil || c == nil {
		s.t.Fatalf("no citizen for the number: %v", err)
	}
	return c.ID
}

// expect waits for the outbox to evaluate what the last writes caused, then compares every
// suggestion the person has, keyed "rule/occurrence" with its state and Norwegian why-text.
func (s *story) expect(number, step string, want map[string]string) {
	s.t.Helper()
	citizen := s.citizenID(number)
	var got map[string]string
	deadline := time.Now().Add(15 * time.Second)
	for {
		got = s.suggestions(citizen)
		if maps.Equal(got, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !maps.Equal(got, want) {
		s.t.Fatalf("%s:\n got  %v\n want %v", step, got, want)
	}
}

func (s *story) suggestions(citizen string) map[string]string {
	s.t.Helper()
	ctx := context.Background()
	var rows []struct {
		suggest.Row `bun:",extend"`
		Rule        string `bun:"rule"`
		Why         string `bun:"why"`
	}
	if err := s.p.DB.NewSelect().TableExpr("suggestions AS s").ColumnExpr("s.*, r.external_id AS rule, t.value AS why").
		Join("JOIN rules AS r ON r.id = s.rule_id").
		Join("JOIN texts AS t ON t.owner_kind = 'rule' AND t.owner_id = r.id AND t.field = 'why' AND t.lang = 'nb'").
		Where("s.citizen_id = ?", citizen).Scan(ctx, &rows); err != nil {
		s.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		k := r.Rule
		if r.Occurrence != "" {
			name, ok := s.names[r.Occurrence]
			if !ok {
				name = fmt.Sprintf("unnamed(%s)", r.Occurrence)
			}
			k += "/" + name
		}
		out[k] = r.State + ": " + suggest.Plain(suggest.Fill(r.Why, r.Facts))
	}
	return out
}
