package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/changes"
	"minside/backend/internal/ingest"
	"minside/backend/internal/keys"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// Agency slugs of the demo municipality.
const (
	AgencyBuilding     = "plan-og-bygg"
	AgencyKindergarten = "barnehage"
	AgencySchool       = "skole"
	AgencyLibrary      = "bibliotek"
	AgencyWaste        = "renovasjon"
	AgencyHealth       = "helse"
	AgencyCulture      = "kultur-idrett"
	AgencyRegister     = "folkeregister"
	AgencyDistrict     = "bydel"
	AgencyRoads        = "bymiljoetaten"
	AgencyWater        = "vann-og-avlop"
	AgencyInnolab      = "innolab"
)

// agencies of the demo municipality, modelled on Oslo's etater.
var agencies = []struct{ slug, name string }{
	{AgencyBuilding, "Plan- og bygningsetaten"},
	{AgencyKindergarten, "Barnehageetaten"},
	{AgencySchool, "Utdanningsetaten"},
	{AgencyLibrary, "Deichman bibliotek"},
	{AgencyWaste, "Renovasjons- og gjenvinningsetaten"},
	{AgencyHealth, "Helseetaten og Sykehjemsetaten"},
	{AgencyCulture, "Kultur- og idrettsetaten"},
	{AgencyRegister, "Folkeregisteret"},
	{AgencyDistrict, "Bydel Frogner"},
	{AgencyRoads, "Bymiljøetaten"},
	{AgencyWater, "Vann- og avløpsetaten"},
	{AgencyInnolab, "Innolab"},
}

// facility is a building with doors that keys open.
type facility struct {
	agency, externalID, name, address string
	doors                             []struct{ externalID, name string }
	openingHours                      texts.Values // shown with every key to it, when the agency sends them
}

type door = struct{ externalID, name string }

var facilities = []facility{
	{AgencyLibrary, "deichman-toyen", "Deichman Tøyen (meråpent)", "Hagegata 30, 0653 Oslo",
		[]door{{"main", "Hovedinngang"}, {"side", "Sideinngang mot Tøyenparken"}},
		texts.Values{"nb": "Meråpent alle dager 07–22\nBetjent man–fre 10–18", "en": "Self-service every day 07–22\nStaffed Mon–Fri 10–18"}},
	{AgencyWaste, "mini-gronland", "Minigjenvinningsstasjon Grønland", "Grønlandsleiret 25, 0190 Oslo",
		[]door{{"gate", "Port"}}, nil},
	{AgencyDistrict, "frogner-motorom", "Møterom 2, Frogner bydelshus", "Sørkedalsveien 3, 0369 Oslo",
		[]door{{"main", "Inngang bydelshus"}, {"room", "Møterom 2"}}, nil},
}

// base holds the ids of the shared records (agencies, facilities, doors) by their natural keys.
type base struct {
	agency     map[string]string            // slug → id
	facility   map[string]string            // external id → id
	doors      map[string]map[string]string // facility external id → door external id → id
	facilities map[string]facility
}

// ensureBase creates the agencies, facilities and doors that are missing and loads the ids of all
// of them, so the demo set and the scale generator can run in either order on one database.
func ensureBase(ctx context.Context, db bun.IDB, now time.Time) (*base, error) {
	now = store.UTC(now)
	b := &base{agency: map[string]string{}, facility: map[string]string{},
		doors: map[string]map[string]string{}, facilities: map[string]facility{}}
	for _, a := range agencies {
		row := &agency.Agency{ID: store.NewID(), Slug: a.slug, Name: a.name, CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(row).On("CONFLICT (slug) DO NOTHING").Exec(ctx); err != nil {
			return nil, fmt.Errorf("seed: agency %s: %w", a.slug, err)
		}
		if err := db.NewSelect().Model(row).Column("id").Where("slug = ?", a.slug).Scan(ctx, &row.ID); err != nil {
			return nil, fmt.Errorf("seed: agency %s: %w", a.slug, err)
		}
		b.agency[a.slug] = row.ID
	}
	// The population register is the demo's source of guardianships and powers of attorney, and
	// the only agency the demo municipality trusts with them.
	for _, kind := range []string{represent.KindGuardian, represent.KindPowerOfAttorney} {
		if err := agency.Grant(ctx, db, b.agency[AgencyRegister], kind, now); err != nil {
			return nil, fmt.Errorf("seed: authority: %w", err)
		}
	}
	// Innolab moderates the residents' ideas.
	if err := agency.Grant(ctx, db, b.agency[AgencyInnolab], agency.AuthorityIdeas, now); err != nil {
		return nil, fmt.Errorf("seed: authority: %w", err)
	}
	for _, f := range facilities {
		agencyID := b.agency[f.agency]
		row := &keys.Facility{ID: store.NewID(), AgencyID: agencyID, ExternalID: f.externalID, Name: f.name,
			Address: f.address, CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(row).On("CONFLICT (agency_id, external_id) DO NOTHING").Exec(ctx); err != nil {
			return nil, fmt.Errorf("seed: facility %s: %w", f.externalID, err)
		}
		if err := db.NewSelect().Model(row).Column("id").
			Where("agency_id = ? AND external_id = ?", agencyID, f.externalID).Scan(ctx, &row.ID); err != nil {
			return nil, fmt.Errorf("seed: facility %s: %w", f.externalID, err)
		}
		b.facility[f.externalID], b.facilities[f.externalID] = row.ID, f
		if f.openingHours != nil {
			if err := texts.Save(ctx, db, "facility", row.ID, texts.Fields{"opening_hours": f.openingHours}); err != nil {
				return nil, fmt.Errorf("seed: facility %s: %w", f.externalID, err)
			}
		}
		b.doors[f.externalID] = map[string]string{}
		for _, d := range f.doors {
			ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: row.ID, ExternalID: d.externalID, Name: d.name, CreatedAt: now}
			if _, err := db.NewInsert().Model(ap).On("CONFLICT (facility_id, external_id) DO NOTHING").Exec(ctx); err != nil {
				return nil, fmt.Errorf("seed: door %s/%s: %w", f.externalID, d.externalID, err)
			}
			if err := db.NewSelect().Model(ap).Column("id").
				Where("facility_id = ? AND external_id = ?", row.ID, d.externalID).Scan(ctx, &ap.ID); err != nil {
				return nil, fmt.Errorf("seed: door %s/%s: %w", f.externalID, d.externalID, err)
			}
			b.doors[f.externalID][d.externalID] = ap.ID
		}
	}
	return b, nil
}

// tileSpec is one demo service tile.
type tileSpec struct {
	agency, externalID, link, icon, category, status string
	targeting                                        tiles.Targeting
	from, until                                      *time.Duration // publish window relative to now
	title, description                               texts.Values
}

func intp(v int) *int                     { return &v }
func durp(d time.Duration) *time.Duration { return &d }
func timep(t time.Time) *time.Time        { t = store.UTC(t); return &t }
func strp(s string) *string               { return &s }
func relTime(now time.Time, d *time.Duration) *time.Time {
	if d == nil {
		return nil
	}
	return timep(now.Add(*d))
}

const day = 24 * time.Hour

// The kindergarten and safety-alarm services are in the catalogue for everyone; whom the municipality
// offers them to, and why, is the rules' business (story_rules.go).
var tileSpecs = []tileSpec{
	{agency: AgencyKindergarten, externalID: "sok-barnehageplass", link: "https://www.example.kommune.no/barnehage/sok",
		icon: "child", category: "family", status: "published",
		title: texts.Values{"nb": "Søk barnehageplass", "nn": "Søk barnehageplass", "en": "Apply for a kindergarten place"},
		description: texts.Values{"nb": "Hovedopptaket har søknadsfrist 1. mars.", "nn": "Hovudopptaket har søknadsfrist 1. mars.",
			"en": "The main admission deadline is 1 March."}},
	{agency: AgencyHealth, externalID: "trygghetsalarm", link: "https://www.example.kommune.no/helse/trygghetsalarm",
		icon: "health", category: "health", status: "published",
		title:       texts.Values{"nb": "Eldre: trygghetsalarm", "en": "Seniors: personal safety alarm"},
		description: texts.Values{"nb": "Få hjelp raskt hvis du faller eller blir syk hjemme.", "en": "Get help quickly if you fall or fall ill at home."}},
	{agency: AgencyLibrary, externalID: "bibliotekkort", link: "https://www.example.kommune.no/deichman/lanekort",
		icon: "book", category: "culture", status: "published",
		title: texts.Values{"nb": "Bibliotekkort", "nn": "Bibliotekkort", "en": "Library card", "se": "Girjerádjokoarta"},
		description: texts.Values{"nb": "Lån bøker og bruk meråpent bibliotek med Min side-nøkkelen.",
			"en": "Borrow books and use the self-service library with your Min side key.",
			"se": "Luoikkas girjjiid ja geavat iešbálvalus girjerádjosa."}},
	{agency: AgencyWaste, externalID: "hentekalender", link: "https://www.example.kommune.no/avfall/hentekalender",
		icon: "recycle", category: "home", status: "published",
		targeting:   tiles.Targeting{Districts: []string{"Gamle Oslo", "Grünerløkka", "Sagene"}},
		title:       texts.Values{"nb": "Når henter vi avfallet ditt?", "en": "When do we collect your waste?"},
		description: texts.Values{"nb": "Se hentedager for rest, papir og glass.", "en": "See collection days for residual waste, paper and glass."}},
	{agency: AgencyBuilding, externalID: "byggesak-veiviser", link: "https://www.example.kommune.no/plan-og-bygg/veiviser",
		icon: "home", category: "home", status: "draft",
		title:       texts.Values{"nb": "Veiviser: må jeg søke?", "en": "Guide: do I need a permit?"},
		description: texts.Values{"nb": "Utkast – ikke publisert.", "en": "Draft – not published."}},
	{agency: AgencyCulture, externalID: "sommeraktiviteter-2025", link: "https://www.example.kommune.no/kultur/sommer",
		icon: "sport", category: "culture", status: "published", from: durp(-500 * day), until: durp(-400 * day),
		targeting:   tiles.Targeting{MinAge: intp(6), MaxAge: intp(17)},
		title:       texts.Values{"nb": "Gratis sommeraktiviteter", "en": "Free summer activities"},
		description: texts.Values{"nb": "Publiseringsperioden er over.", "en": "The publishing period has ended."}},
	{agency: AgencyCulture, externalID: "aktivitetskortet", link: "https://www.example.kommune.no/kultur/aktivitetskort",
		icon: "sport", category: "culture", status: "published", from: durp(-30 * day), until: durp(150 * day),
		targeting:   tiles.Targeting{ChildAgeMin: intp(6), ChildAgeMax: intp(17)},
		title:       texts.Values{"nb": "Aktivitetskortet for barn og unge", "nn": "Aktivitetskortet for born og unge", "en": "The activity card for children and young people"},
		description: texts.Values{"nb": "Gratis aktiviteter for familier med lav inntekt.", "en": "Free activities for low-income families."}},
}

// addTiles collects the demo tiles, their texts and one feed row each (citizen NULL: everyone).
func addTiles(r *rows, b *base, now time.Time) {
	now = store.UTC(now)
	for _, s := range tileSpecs {
		t := tiles.Tile{ID: store.NewID(), AgencyID: b.agency[s.agency], ExternalID: s.externalID, Version: 1,
			Link: s.link, Icon: s.icon, Category: s.category, Targeting: s.targeting, Status: s.status,
			PublishFrom: relTime(now, s.from), PublishUntil: relTime(now, s.until), CreatedAt: now, UpdatedAt: now}
		r.tiles = append(r.tiles, t)
		r.text("tile", t.ID, "title", s.title)
		r.text("tile", t.ID, "description", s.description)
		r.changes = append(r.changes, changes.Change{Kind: "tile", ObjectID: t.ID, Op: changes.OpUpsert, CreatedAt: now})
		r.records = append(r.records, ingest.Imported{AgencyID: t.AgencyID, Kind: ingest.KindTiles, ExternalID: t.ExternalID,
			ObjectID: t.ID, At: now, Record: ingest.TileRecord{Title: s.title, Description: s.description, Link: s.link,
				Icon: s.icon, Category: s.category, Targeting: tileTargeting(s.targeting), PublishFrom: rfc3339(t.PublishFrom),
				PublishUntil: rfc3339(t.PublishUntil), Status: s.status, Version: t.Version}})
	}
}

// tileTargeting is the targeting as the agency API takes it; nil when it targets everyone.
func tileTargeting(t tiles.Targeting) *ingest.TileTargeting {
	if t.MinAge == nil && t.MaxAge == nil && len(t.Districts) == 0 && t.ChildAgeMin == nil && t.ChildAgeMax == nil && len(t.OpenCaseKinds) == 0 {
		return nil
	}
	return &ingest.TileTargeting{MinAge: t.MinAge, MaxAge: t.MaxAge, Districts: t.Districts,
		ChildAgeMin: t.ChildAgeMin, ChildAgeMax: t.ChildAgeMax, OpenCaseKinds: t.OpenCaseKinds}
}

// rfc3339 formats an optional time as the agency API takes it ("" for none).
func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
