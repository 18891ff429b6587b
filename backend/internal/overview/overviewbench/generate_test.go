// Package overviewbench measures GET /api/v1/me/overview over HTTP with real sessions against the
// same database statements sent bare, on a seeded or a synthetic city (see docs/performance.md,
// "Overview").
//
//	make bench   (or: go test -run '^$' -bench . ./backend/internal/overview/...; MINSIDE_BENCH_CITIZENS=2000 for a quick run)
//
// MINSIDE_BENCH_DATABASE_URL_SQLITE=sqlite:<path> and MINSIDE_BENCH_DATABASE_URL_POSTGRES=postgres://…
// run an engine on a database filled by `minside seed --citizens N`. Otherwise the synthetic database
// is generated once per size and engine and kept (SQLite: a file under the system temp folder;
// PostgreSQL: a schema bench_overview_<n> when MINSIDE_TEST_POSTGRES_DSN is set), so reruns start at once.
package overviewbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

var districts = []string{"Gamle Oslo", "Grünerløkka", "Sagene", "St. Hanshaugen", "Frogner", "Ullern", "Vestre Aker",
	"Nordre Aker", "Bjerke", "Grorud", "Stovner", "Alna", "Østensjø", "Nordstrand", "Søndre Nordstrand"}

// city is what generate made: the citizens' ids, in order.
type city struct {
	citizens []string
}

// generate writes n synthetic citizens, each with three cases from different agencies (one
// awaiting them), an upcoming and a past booking, an active key, three notifications (one unread)
// and their texts and change rows; plus ten agencies and twenty tiles with some targeting.
func generate(ctx context.Context, db *store.DB, n int, now time.Time) (*city, error) {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	now = store.UTC(now)
	slugs := []string{"plan-og-bygg", "deichman", "helse", "utdanning", "renovasjon", "bydel", "skatt", "parkering", "idrett", "kultur"}
	var ags []agency.Agency
	var facilities []keys.Facility
	var doors []keys.AccessPoint
	for _, s := range slugs {
		a := agency.Agency{ID: store.NewID(), Slug: s, Name: "Etat " + s, CreatedAt: now, UpdatedAt: now}
		ags = append(ags, a)
		f := keys.Facility{ID: store.NewID(), AgencyID: a.ID, ExternalID: "f-" + s, Name: "Anlegg " + s, Address: "Gata 1", CreatedAt: now, UpdatedAt: now}
		facilities = append(facilities, f)
		doors = append(doors, keys.AccessPoint{ID: store.NewID(), FacilityID: f.ID, ExternalID: "d", Name: "Hoveddør", CreatedAt: now})
	}
	var tileRows []tiles.Tile
	var txts []texts.Text
	var chg []changes.Change
	for i := range 20 {
		t := tiles.Tile{ID: store.NewID(), AgencyID: ags[i%len(ags)].ID, ExternalID: fmt.Sprint("t", i), Version: 1, Link: "https://etat.example.no",
			Icon: "info", Category: "general", Status: "published", CreatedAt: now, UpdatedAt: now}
		switch i % 4 {
		case 1:
			t.Targeting.Districts = []string{districts[i%len(districts)]}
		case 2:
			min := 67
			t.Targeting.MinAge = &min
		case 3:
			t.Targeting.OpenCaseKinds = []string{"building_permit"}
		}
		tileRows = append(tileRows, t)
		txts = append(txts, texts.Text{OwnerKind: "tile", OwnerID: t.ID, Field: "title", Lang: "nb", Value: fmt.Sprint("Tjeneste ", i)},
			texts.Text{OwnerKind: "tile", OwnerID: t.ID, Field: "description", Lang: "nb", Value: "Beskrivelse"})
		chg = append(chg, changes.Change{Kind: "tile", ObjectID: t.ID, Op: changes.OpUpsert, CreatedAt: now})
	}
	if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return insertAll(ctx, tx, &ags, &facilities, &doors, &tileRows, &txts, &chg)
	}); err != nil {
		return nil, err
	}

	c := &city{}
	const batch = 500
	for start := 0; start < n; start += batch {
		var ppl []citizens.Citizen
		var cs []cases.Case
		var bs []bookings.Booking
		var ks []keys.Key
		var ws []keys.Window
		var kaps []keys.KeyAccessPoint
		var ns []notify.Notification
		txts, chg = txts[:0], chg[:0]
		for i := start; i < min(n, start+batch); i++ {
			birth := time.Date(1930+rng.IntN(90), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			p := citizens.Citizen{ID: store.NewID(), PIDHash: fmt.Sprintf("bench-%d", i), PIDMasked: "010101*****", BirthDate: birth,
				Name: fmt.Sprint("Innbygger ", i), District: districts[rng.IntN(len(districts))], CreatedAt: now, UpdatedAt: now}
			ppl = append(ppl, p)
			c.citizens = append(c.citizens, p.ID)
			who := p.ID
			record := func(kind, id string) {
				chg = append(chg, changes.Change{CitizenID: &who, Kind: kind, ObjectID: id, Op: changes.OpUpsert, CreatedAt: now})
			}
			for j, status := range []string{cases.StatusAwaitingCitizen, cases.StatusInProgress, cases.StatusDecided} {
				ag := ags[(i+j*3)%len(ags)]
				due := now.Add(time.Duration(24+rng.IntN(500)) * time.Hour)
				k := cases.Case{ID: store.NewID(), AgencyID: ag.ID, ExternalID: fmt.Sprint(i, "-", j), Version: 1, CitizenID: p.ID,
					Kind: []string{"building_permit", "home_care", "school_place"}[j], Area: "general", Status: status,
					DeepLink: "https://etat.example.no/sak", CreatedAt: now.Add(-time.Duration(j) * time.Hour), UpdatedAt: now.Add(-time.Duration(j) * time.Hour)}
				if status == cases.StatusAwaitingCitizen {
					k.NextActionDue = &due
				}
				cs = append(cs, k)
				txts = append(txts, texts.Text{OwnerKind: "case", OwnerID: k.ID, Field: "title", Lang: "nb", Value: fmt.Sprint("Sak ", i, " ", j)},
					texts.Text{OwnerKind: "case", OwnerID: k.ID, Field: "title", Lang: "en", Value: fmt.Sprint("Case ", i, " ", j)})
				record("case", k.ID)
			}
			for j, at := range []time.Time{now.Add(time.Duration(2+rng.IntN(200)) * time.Hour), now.Add(-time.Duration(2+rng.IntN(200)) * time.Hour)} {
				b := bookings.Booking{ID: store.NewID(), AgencyID: ags[1].ID, ExternalID: fmt.Sprint(i, "-", j), Version: 1, CitizenID: p.ID,
					Area: "culture", PlaceName: "Filial", PlaceAddress: "Gata 2", StartsAt: at, EndsAt: at.Add(time.Hour),
					Status: bookings.StatusConfirmed, CreatedAt: now, UpdatedAt: now}
				bs = append(bs, b)
				txts = append(txts, texts.Text{OwnerKind: "booking", OwnerID: b.ID, Field: "resource", Lang: "nb", Value: "Møterom"})
				record("booking", b.ID)
			}
			f := rng.IntN(len(facilities))
			k := keys.Key{ID: store.NewID(), AgencyID: facilities[f].AgencyID, ExternalID: fmt.Sprint(i), Version: 1, CitizenID: p.ID,
				FacilityID: facilities[f].ID, Status: keys.StatusActive, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(90 * 24 * time.Hour),
				CreatedAt: now, UpdatedAt: now}
			ks = append(ks, k)
			ws = append(ws, keys.Window{ID: store.NewID(), KeyID: k.ID, StartsAt: k.ValidFrom, EndsAt: k.ValidUntil})
			kaps = append(kaps, keys.KeyAccessPoint{KeyID: k.ID, AccessPointID: doors[f].ID})
			record("key", k.ID)
			for j := range 3 {
				ag := ags[(i+j)%len(ags)].ID
				nt := notify.Notification{ID: store.NewID(), AgencyID: &ag, CitizenID: p.ID, Category: "cases", Urgency: "normal",
					CreatedAt: now.Add(-time.Duration(j) * time.Hour)}
				if j > 0 {
					nt.ReadAt = &now
				}
				ns = append(ns, nt)
				txts = append(txts, texts.Text{OwnerKind: "notification", OwnerID: nt.ID, Field: "title", Lang: "nb", Value: "Varsel"},
					texts.Text{OwnerKind: "notification", OwnerID: nt.ID, Field: "body", Lang: "nb", Value: "Noe har skjedd"})
				record("notification", nt.ID)
			}
		}
		if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return insertAll(ctx, tx, &ppl, &cs, &bs, &ks, &ws, &kaps, &ns, &txts, &chg)
		}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func insertAll(ctx context.Context, tx bun.Tx, slices ...any) error {
	for _, s := range slices {
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return fmt.Errorf("generate: insert %T: %w", s, err)
		}
	}
	return nil
}
