package seed

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/errands"
	"minside/backend/internal/keys"
	"minside/backend/internal/messages"
	"minside/backend/internal/notify"
	"minside/backend/internal/pid"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
	"minside/backend/internal/tasks"
	"minside/backend/internal/tiles"
)

var testNow = time.Date(2026, time.November, 23, 14, 30, 0, 0, time.UTC)

func newSeeder(t testing.TB, db *store.DB) (*Seeder, *citizens.Directory) {
	t.Helper()
	p, err := pid.NewPseudonymizer([]byte("0123456789abcdef0123456789abcdef-test-key"))
	if err != nil {
		t.Fatal(err)
	}
	dir := citizens.NewDirectory(p, true)
	return New(db, dir, nil), dir
}

func count(t *testing.T, db bun.IDB, model any) int {
	t.Helper()
	n, err := db.NewSelect().Model(model).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestPeopleAreValidDistinctSyntheticNumbers(t *testing.T) {
	people := People()
	if len(people) < 20 {
		t.Fatalf("%d demo persons, want at least 20", len(people))
	}
	seen := map[string]bool{}
	for _, p := range people {
		n, err := pid.Parse(p.PID, pid.Options{AllowSynthetic: true})
		if err != nil || !n.Synthetic {
			t.Errorf("%s: %v (synthetic %v)", p.Name, err, n.Synthetic)
		}
		if seen[p.PID] || p.Name == "" || p.Note == "" {
			t.Errorf("%s: duplicate number or missing name/note", p.Name)
		}
		seen[p.PID] = true
	}
	if again := People(); !slices.Equal(again, people) {
		t.Error("People is not deterministic")
	}
}

func TestBirthDateMapVisitsEveryDate(t *testing.T) {
	if birthDays()%7919 == 0 {
		t.Fatalf("%d birth days is a multiple of the multiplier", birthDays())
	}
	g := &generator{days: birthDays()}
	seen := map[string]bool{}
	for i := range g.days + 500 { // every date once, then the second round starts
		n, err := g.syntheticPID(i)
		if err != nil {
			t.Fatal(err)
		}
		if seen[n] {
			t.Fatalf("index %d repeats a number", i)
		}
		seen[n] = true
	}
}

func TestDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := newSeeder(t, db)
		sum, seeded, err := s.Demo(ctx, testNow)
		if err != nil || !seeded {
			t.Fatalf("Demo: seeded %v, %v", seeded, err)
		}
		if n := count(t, db, (*agency.Agency)(nil)); n < 8 || n != sum.Agencies {
			t.Errorf("%d agencies (summary %d), want at least 8", n, sum.Agencies)
		}
		var people []citizens.Citizen
		if err := db.NewSelect().Model(&people).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(people) < 20 || len(people) != sum.Citizens {
			t.Errorf("%d citizens (summary %d), want at least 20", len(people), sum.Citizens)
		}

		t.Run("pseudonyms only", func(t *testing.T) {
			stored := map[string]bool{}
			for _, c := range people {
				stored[c.PIDHash] = true
			}
			elevenDigits := regexp.MustCompile(`\d{11}`)
			hexHash := regexp.MustCompile(`^[0-9a-f]{64}$`)
			var numbers []string
			for _, p := range People() {
				numbers = append(numbers, p.PID)
				n, err := dir.Parse(p.PID)
				if err != nil {
					t.Fatal(err)
				}
				if !stored[dir.Pseudonym(n)] {
					t.Errorf("%s: no citizen with the pseudonym of their number", p.Name)
				}
			}
			var cols []map[string]any
			if err := db.NewSelect().Table("citizens").Scan(ctx, &cols); err != nil {
				t.Fatal(err)
			}
			for _, row := range cols {
				for col, val := range row {
					var s string
					switch x := val.(type) {
					case string:
						s = x
					case []byte:
						s = string(x)
					}
					for _, number := range numbers {
						if strings.Contains(s, number) {
							t.Errorf("citizens.%s holds a demo person's number", col)
						}
					}
					switch {
					case col == "pid_hash":
						if !hexHash.MatchString(s) {
							t.Errorf("pid_hash %q is not a 64-hex pseudonym", s)
						}
					case col == "id": // a UUID: hex digits by design
					case elevenDigits.MatchString(s):
						t.Errorf("citizens.%s holds an 11-digit number", col)
					}
				}
			}
		})

		t.Run("every case status", func(t *testing.T) {
			var statuses []string
			if err := db.NewSelect().Model((*cases.Case)(nil)).Column("status").Distinct().Scan(ctx, &statuses); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{cases.StatusReceived, cases.StatusInProgress, cases.StatusAwaitingCitizen, cases.StatusDecided, cases.StatusClosed} {
				if !slices.Contains(statuses, want) {
					t.Errorf("no case in status %s", want)
				}
			}
		})

		t.Run("Ola has one document to confirm having read, in the agency's record too", func(t *testing.T) {
			var rows []struct {
				ExternalID string `bun:"external_id"`
				Name       string `bun:"name"`
				CitizenID  string `bun:"citizen_id"`
			}
			if err := db.NewRaw(`SELECT d.external_id, d.name, c.citizen_id FROM case_documents d JOIN cases c ON c.id = d.case_id
WHERE d.requires = ? AND d.due_at IS NOT NULL`, cases.RequiresAcknowledge).Scan(ctx, &rows); err != nil {
				t.Fatal(err)
			}
			var ola citizens.Citizen
			if err := db.NewSelect().Model(&ola).Where("name LIKE 'Ola %'").Limit(1).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].Name != "Mangelbrev.pdf" || rows[0].CitizenID != ola.ID {
				t.Fatalf("documents to acknowledge: %+v (Ola %s)", rows, ola.ID)
			}
			if n, err := db.NewSelect().Table("agency_records").Where("kind = 'cases' AND CAST(body AS TEXT) LIKE ?", `%"requires"%"acknowledge"%`).Count(ctx); err != nil || n != 1 {
				t.Fatalf("%d case records name the document's requires (%v)", n, err)
			}
		})

		t.Run("one citizen hears from four agencies", func(t *testing.T) {
			from := map[string]map[string]bool{}
			add := func(citizen, agency string) {
				if from[citizen] == nil {
					from[citizen] = map[string]bool{}
				}
				from[citizen][agency] = true
			}
			var cs []cases.Case
			var bs []bookings.Booking
			var ks []keys.Key
			var ns []notify.Notification
			for _, m := range []any{&cs, &bs, &ks, &ns} {
				if err := db.NewSelect().Model(m).Scan(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range cs {
				add(c.CitizenID, c.AgencyID)
			}
			for _, b := range bs {
				add(b.CitizenID, b.AgencyID)
			}
			for _, k := range ks {
				add(k.CitizenID, k.AgencyID)
			}
			for _, n := range ns {
				if n.AgencyID != nil {
					add(n.CitizenID, *n.AgencyID)
				}
			}
			most := 0
			for _, agencies := range from {
				most = max(most, len(agencies))
			}
			if most < 4 {
				t.Errorf("the busiest citizen hears from %d agencies, want at least 4", most)
			}
		})

		t.Run("representation", func(t *testing.T) {
			var rels []represent.Relation
			if err := db.NewSelect().Model(&rels).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			byID := map[string]citizens.Citizen{}
			for _, c := range people {
				byID[c.ID] = c
			}
			var guardianOfMinor, healthFullmakt, expired, endedAt18 bool
			for _, r := range rels {
				active := !r.ValidFrom.After(testNow) && (r.ValidUntil == nil || r.ValidUntil.After(testNow))
				subject := byID[r.SubjectID]
				switch {
				case r.Kind == represent.KindGuardian && active && subject.IsMinor(testNow):
					guardianOfMinor = true
				case r.Kind == represent.KindGuardian && !active && !subject.IsMinor(testNow):
					endedAt18 = true
				case r.Kind == represent.KindPowerOfAttorney && active && slices.Equal(r.Scopes, []string{"health"}):
					healthFullmakt = true
				case r.Kind == represent.KindPowerOfAttorney && !active:
					expired = true
				}
			}
			if !guardianOfMinor || !healthFullmakt || !expired || !endedAt18 {
				t.Errorf("guardian of minor %v, health fullmakt %v, expired fullmakt %v, guardianship ended at 18 %v",
					guardianOfMinor, healthFullmakt, expired, endedAt18)
			}
		})

		t.Run("booking key opens 15 minutes early", func(t *testing.T) {
			var k keys.Key
			if err := db.NewSelect().Model(&k).Where("booking_id IS NOT NULL").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			var b bookings.Booking
			if err := db.NewSelect().Model(&b).Where("id = ?", *k.BookingID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if !b.StartsAt.After(testNow) || !k.ValidFrom.Equal(b.StartsAt.Add(-15*time.Minute)) || !k.ValidUntil.Equal(b.EndsAt.Add(2*time.Hour)) {
				t.Errorf("booking %v–%v, key %v–%v", b.StartsAt, b.EndsAt, k.ValidFrom, k.ValidUntil)
			}
		})

		checkFeed(t, db)

		again, seeded, err := s.Demo(ctx, testNow.Add(time.Hour))
		if err != nil || seeded || again.Citizens != 0 {
			t.Fatalf("second Demo: seeded %v, %+v, %v", seeded, again, err)
		}
		if n := count(t, db, (*citizens.Citizen)(nil)); n != len(people) {
			t.Errorf("second Demo changed the citizens: %d, want %d", n, len(people))
		}
	})
}

// checkFeed proves the changes feed holds exactly one upsert per citizen-visible object, for its citizen.
func checkFeed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	var feed []changes.Change
	if err := db.NewSelect().Model(&feed).Order("seq").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // kind/object → citizen ("" for everyone)
	for _, c := range feed {
		key := c.Kind + "/" + c.ObjectID
		if _, dup := got[key]; dup || c.Op != changes.OpUpsert {
			t.Errorf("feed row %s %s repeated or not an upsert", key, c.Op)
		}
		got[key] = ""
		if c.CitizenID != nil {
			got[key] = *c.CitizenID
		}
	}
	want := map[string]string{}
	owned := func(kind string, model any, scan func() [][2]string) {
		if err := db.NewSelect().Model(model).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		for _, o := range scan() {
			want[kind+"/"+o[0]] = o[1]
		}
	}
	var cs []cases.Case
	var bs []bookings.Booking
	var ks []keys.Key
	var ns []notify.Notification
	var ts []tiles.Tile
	owned("case", &cs, func() (out [][2]string) {
		for _, x := range cs {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	owned("booking", &bs, func() (out [][2]string) {
		for _, x := range bs {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	owned("key", &ks, func() (out [][2]string) {
		for _, x := range ks {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	owned("notification", &ns, func() (out [][2]string) {
		for _, x := range ns {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	owned("tile", &ts, func() (out [][2]string) {
		for _, x := range ts {
			out = append(out, [2]string{x.ID, ""})
		}
		return
	})
	var tks []tasks.Task
	if err := db.NewSelect().Model(&tks).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	for _, x := range tks {
		want[x.Kind+"/"+x.ID] = x.CitizenID
	}
	var es []errands.Errand
	owned("errand", &es, func() (out [][2]string) {
		for _, x := range es {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	var ms []messages.Message
	owned("message", &ms, func() (out [][2]string) {
		for _, x := range ms {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	var ss []suggest.Row
	owned("suggestion", &ss, func() (out [][2]string) {
		for _, x := range ss {
			out = append(out, [2]string{x.ID, x.CitizenID})
		}
		return
	})
	if len(got) != len(want) {
		t.Errorf("feed has %d objects, the tables %d", len(got), len(want))
	}
	for key, citizen := range want {
		if g, ok := got[key]; !ok || g != citizen {
			t.Errorf("feed row for %s: citizen %q present %v, want %q", key, g, ok, citizen)
		}
	}
}

func TestCitizens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := newSeeder(t, db)
		if _, _, err := s.Demo(ctx, testNow); err != nil {
			t.Fatal(err)
		}
		before := count(t, db, (*citizens.Citizen)(nil))

		// Someone already logged in with the number the generator gives the next citizen: it is skipped.
		g := &generator{days: birthDays()}
		taken, err := g.syntheticPID(0)
		if err != nil {
			t.Fatal(err)
		}
		n, err := dir.Parse(taken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dir.Ensure(ctx, db, n, "Allerede innlogget", testNow); err != nil {
			t.Fatal(err)
		}

		sum, err := s.Citizens(ctx, 500, ScaleOptions{Batch: 128, Chunk: 300, Seed: 1}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Citizens != 500 || sum.Cases != 500*scaleCases || sum.Bookings != 500*scaleBookings ||
			sum.Keys != 500 || sum.Notifications != 500*scaleNotifications {
			t.Errorf("summary %+v, want 500 citizens with their items (one number was taken and skipped)", sum)
		}
		if got := count(t, db, (*citizens.Citizen)(nil)); got != before+1+500 {
			t.Errorf("%d citizens, want %d", got, before+1+500)
		}
		more, err := s.Citizens(ctx, 100, ScaleOptions{Seed: 1}, testNow)
		if err != nil || more.Citizens != 100 {
			t.Fatalf("second run: %+v, %v", more, err)
		}
		if got := count(t, db, (*cases.Case)(nil)); got < 600*scaleCases {
			t.Errorf("%d cases after 600 synthetic citizens", got)
		}
		checkFeed(t, db)
	})
}

func TestCitizensOnAnEmptyDatabaseCreatesTheSharedRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newSeeder(t, db)
		sum, err := s.Citizens(ctx, 20, ScaleOptions{Batch: 7}, testNow)
		if err != nil || sum.Citizens != 20 || sum.Tiles != len(tileSpecs) {
			t.Fatalf("Citizens: %+v, %v", sum, err)
		}
		if n := count(t, db, (*agency.Agency)(nil)); n != len(agencies) {
			t.Errorf("%d agencies, want %d", n, len(agencies))
		}
		if _, seeded, err := s.Demo(ctx, testNow); err != nil || seeded {
			t.Errorf("Demo after scale data: seeded %v, %v", seeded, err)
		}
		checkFeed(t, db)
	})
}

// TestEverySeededObjectIsItsAgencysRecord: every object the seed writes for an agency (demo and
// scale) has the agency record a PUT would have left, under the same agency and external id, so
// the agency API and console treat it as the agency's own.
func TestEverySeededObjectIsItsAgencysRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newSeeder(t, db)
		if _, _, err := s.Demo(ctx, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Citizens(ctx, 30, ScaleOptions{Batch: 16, Seed: 2}, testNow); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"cases", "bookings", "keys", "relations", "tiles", "notifications"} {
			sameVersion := " AND r.version = o.version"
			if table == "notifications" {
				sameVersion = "" // a notification is sent once: it has no version of its own
			}
			var total, missing int
			if err := db.NewRaw(`SELECT COUNT(*) FROM `+table+` WHERE agency_id IS NOT NULL`).Scan(ctx, &total); err != nil {
				t.Fatal(err)
			}
			if err := db.NewRaw(`SELECT COUNT(*) FROM `+table+` o WHERE o.agency_id IS NOT NULL AND NOT EXISTS (
				SELECT 1 FROM agency_records r WHERE r.object_id = o.id AND r.agency_id = o.agency_id
				AND r.external_id = o.external_id AND r.kind = ?`+sameVersion+`)`, table).Scan(ctx, &missing); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			if total == 0 || missing != 0 {
				t.Errorf("%s: %d of %d seeded objects are not their agency's records", table, missing, total)
			}
		}
	})
}
