package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/errands"
	"minside/backend/internal/ingest"
	"minside/backend/internal/keys"
	"minside/backend/internal/messages"
	"minside/backend/internal/notify"
	"minside/backend/internal/pid"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

var (
	firstNames = []string{"Nora", "Emma", "Olivia", "Sofie", "Ingrid", "Sara", "Maja", "Leah", "Jakob", "Emil",
		"Noah", "Oliver", "Filip", "William", "Lucas", "Henrik", "Kari", "Ola", "Anne", "Per", "Hilde", "Knut",
		"Aisha", "Mohammed", "Fatima", "Ali", "Amina", "Yusuf", "Olena", "Piotr", "Agnieszka", "Lan", "Minh",
		"Zainab", "Hassan", "Sigrid", "Máret", "Ánde", "Ewa", "Tomasz", "Hamza", "Leyla", "Daniel", "Ida"}
	lastNames = []string{"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
		"Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Bakken", "Solberg",
		"Khan", "Ali", "Hussain", "Ahmed", "Hassan", "Nguyen", "Tran", "Kowalski", "Nowak", "Shevchenko",
		"Mohamed", "Abdi", "Eira", "Sara", "Somby", "Iqbal", "Yilmaz", "Lie", "Dahl", "Moen"}
	districts = []string{"Frogner", "Grünerløkka", "Gamle Oslo", "Sagene", "St. Hanshaugen", "Ullern", "Vestre Aker",
		"Nordre Aker", "Bjerke", "Grorud", "Stovner", "Alna", "Østensjø", "Nordstrand", "Søndre Nordstrand"}
	caseTypes = []struct {
		agency, kind, area string
		title              texts.Values
	}{
		{AgencyBuilding, "building_permit", "building", v("Byggesøknad", "Building permit application")},
		{AgencyKindergarten, "kindergarten_admission", "kindergarten", v("Søknad om barnehageplass", "Kindergarten application")},
		{AgencySchool, "after_school", "school", v("Søknad om AKS-plass", "After-school programme application")},
		{AgencyHealth, "home_care", "health", v("Søknad om hjemmetjenester", "Home care application")},
		{AgencyWaste, "waste_subscription", "waste", v("Endring av avfallsabonnement", "Change of waste subscription")},
		{AgencyCulture, "grant", "culture", v("Søknad om kulturstipend", "Culture grant application")},
		{AgencyDistrict, "parking_permit", "other", v("Beboerparkering", "Resident parking")},
	}
	caseStatuses = cases.Statuses()
	eventTitles  = map[string]texts.Values{
		cases.StatusReceived:        v("Søknaden er mottatt", "Application received"),
		cases.StatusInProgress:      v("Saken er under behandling", "Your case is being processed"),
		cases.StatusAwaitingCitizen: v("Vi venter på svar fra deg", "We are waiting for your reply"),
		cases.StatusDecided:         v("Vedtak er fattet", "A decision has been made"),
		cases.StatusClosed:          v("Saken er avsluttet", "Case closed"),
	}
	nextAction       = v("Send inn manglende dokumentasjon", "Send the missing documentation")
	groupRoom        = v("Grupperom", "Group room")
	sportsHall       = v("Idrettshall", "Sports hall")
	notificationText = []struct {
		category string
		title    texts.Values
	}{
		{"cases", v("Nytt i saken din", "News in your case")},
		{"bookings", v("Påminnelse om booking", "Booking reminder")},
		{"keys", v("Nøkkelen din er klar", "Your key is ready")},
		{"messages", v("Ny melding fra kommunen", "New message from the municipality")},
	}
)

// batch generates citizens first to first+n-1 with their items and the guardianships within their
// households.
func (g *generator) batch(first, n int) (*rows, error) {
	r := &rows{}
	var home []member
	for i := first; i < first+n; i++ {
		digits, err := g.citizen(r, i)
		if err != nil {
			return nil, err
		}
		home = append(home, member{index: i, digits: digits, c: r.citizens[len(r.citizens)-1]})
		if i == first+n-1 || household(i+1) != household(i) {
			g.guardianships(r, home)
			home = home[:0]
		}
	}
	return r, nil
}

func (g *generator) at(offset time.Duration) time.Time { return g.now.Add(offset) }

// citizen adds synthetic citizen i and their items. Each citizen draws from a random source of
// its own, seeded by the run's seed and its index, so it is the same whatever the batch size and
// however many batches are generated at once.
func (g *generator) citizen(r *rows, i int) (string, error) {
	digits, err := g.syntheticPID(i)
	if err != nil {
		return "", err
	}
	n, err := pid.Parse(digits, syntheticOnly)
	if err != nil {
		return "", fmt.Errorf("seed: synthetic citizen %d: %w", i, err)
	}
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)))
	c := citizens.Citizen{ID: store.NewID(), PIDHash: g.dir.Pseudonym(n), PIDMasked: n.String(), BirthDate: n.BirthDate,
		Name:     firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))],
		District: districts[rng.IntN(len(districts))], CreatedAt: g.now, UpdatedAt: g.now}
	r.citizens = append(r.citizens, c)
	ext := fmt.Sprintf(scalePrefix+"%09d", i)
	feed := func(kind, id string) {
		r.changes = append(r.changes, changes.Change{CitizenID: &c.ID, Kind: kind, ObjectID: id, Op: changes.OpUpsert, CreatedAt: g.now})
	}
	record := func(agencyID string, kind ingest.Kind, externalID, objectID string, rec any) {
		r.records = append(r.records, ingest.Imported{AgencyID: agencyID, Kind: kind, ExternalID: externalID,
			ObjectID: objectID, CitizenID: &c.ID, Record: rec, At: g.now})
	}

	var errandID string // the busy first screen of one citizen in scaleErrandEvery
	var errandCases []string
	if hasErrand(i) {
		errandID = store.NewID()
	}
	for j := range scaleCases {
		t := caseTypes[rng.IntN(len(caseTypes))]
		if errandID != "" {
			t = errandCaseTypes[j]
		}
		status := caseStatuses[rng.IntN(len(caseStatuses))]
		opened := g.at(-time.Duration(10+rng.IntN(200)) * day)
		k := cases.Case{ID: store.NewID(), AgencyID: g.b.agency[t.agency], ExternalID: fmt.Sprintf("%s-sak-%d", ext, j),
			Version: scaleEvents, CitizenID: c.ID, Kind: t.kind, Area: t.area, Status: status,
			DeepLink: "https://innsyn.example.kommune.no/" + t.agency + "/sak/" + ext, CreatedAt: opened}
		rec := ingest.CaseRecord{PID: digits, Title: t.title, Kind: t.kind, Area: t.area, Status: status,
			DeepLink: k.DeepLink, Version: k.Version}
		if status == cases.StatusAwaitingCitizen {
			k.NextActionDue = timep(g.at(time.Duration(1+rng.IntN(14)) * day))
			r.text("case", k.ID, "next_action", nextAction)
			rec.NextAction = &ingest.NextAction{Text: nextAction, DueAt: rfc3339(k.NextActionDue)}
		}
		steps := []string{cases.StatusReceived, cases.StatusInProgress, status}
		for e, st := range steps {
			at := store.UTC(opened.Add(time.Duration(e*3) * day))
			ev := cases.Event{ID: store.NewID(), CaseID: k.ID, ExternalID: fmt.Sprintf("h%d", e), OccurredAt: at,
				Status: &steps[e], CreatedAt: at}
			r.events = append(r.events, ev)
			r.text("case_event", ev.ID, "title", eventTitles[st])
			rec.Events = append(rec.Events, ingest.CaseEvent{ExternalID: ev.ExternalID, OccurredAt: rfc3339(&at),
				Status: st, Title: eventTitles[st]})
			k.UpdatedAt = at
		}
		if errandID != "" {
			k.ErrandID, k.SharedWithErrand = &errandID, true
			rec.Errand, rec.SharedWithErrand = errandRef(ext), true
			errandCases = append(errandCases, k.ID)
		}
		r.cases = append(r.cases, k)
		record(k.AgencyID, ingest.KindCases, k.ExternalID, k.ID, rec)
		r.text("case", k.ID, "title", t.title)
		feed("case", k.ID)
	}

	upcoming := time.Duration(1+rng.IntN(20))*day + time.Duration(8+rng.IntN(12))*time.Hour
	for j, start := range []time.Duration{upcoming, -time.Duration(1+rng.IntN(60)) * day} {
		agencySlug, area, place, resource := AgencyLibrary, "library", "Deichman Tøyen", groupRoom
		if rng.IntN(2) == 0 {
			agencySlug, area, place, resource = AgencyCulture, "culture", "Bjerkehallen", sportsHall
		}
		bk := bookings.Booking{ID: store.NewID(), AgencyID: g.b.agency[agencySlug], ExternalID: fmt.Sprintf("%s-bok-%d", ext, j),
			Version: 1, CitizenID: c.ID, Area: area, PlaceName: place, StartsAt: store.UTC(g.at(start)),
			EndsAt: store.UTC(g.at(start + 2*time.Hour)), Status: bookings.StatusConfirmed,
			CreatedAt: store.UTC(g.at(min(start, 0) - 7*day)), UpdatedAt: store.UTC(g.at(min(start, 0) - 7*day))}
		if start < 0 {
			bk.Status = bookings.StatusCompleted
		} else if rng.IntN(3) > 0 {
			bk.CancellableUntil = timep(bk.StartsAt.Add(-24 * time.Hour))
		}
		r.bookings = append(r.bookings, bk)
		record(bk.AgencyID, ingest.KindBookings, bk.ExternalID, bk.ID, ingest.BookingRecord{PID: digits, Resource: resource,
			Place: ingest.Place{Name: place}, StartsAt: rfc3339(&bk.StartsAt), EndsAt: rfc3339(&bk.EndsAt), Status: bk.Status,
			CancellableUntil: rfc3339(bk.CancellableUntil), Area: area, Version: bk.Version})
		r.text("booking", bk.ID, "resource", resource)
		feed("booking", bk.ID)
	}

	from := store.UTC(g.at(-time.Duration(rng.IntN(60)) * day))
	until := store.UTC(from.Add(time.Duration(30+rng.IntN(120)) * day))
	status := keys.StatusActive // one whose window is over no longer opens anything
	key := keys.Key{ID: store.NewID(), AgencyID: g.b.agency[AgencyLibrary], ExternalID: ext + "-key", Version: 1,
		CitizenID: c.ID, FacilityID: g.b.facility["deichman-toyen"], Status: status, ValidFrom: from, ValidUntil: until,
		CreatedAt: from, UpdatedAt: from}
	r.keys = append(r.keys, key)
	r.windows = append(r.windows, keys.Window{ID: store.NewID(), KeyID: key.ID, StartsAt: from, EndsAt: until})
	r.keyDoors = append(r.keyDoors, keys.KeyAccessPoint{KeyID: key.ID, AccessPointID: g.b.doors["deichman-toyen"]["main"]})
	feed("key", key.ID)
	library := g.b.facilities["deichman-toyen"]
	keyRec := ingest.KeyRecord{PID: digits, Facility: ingest.Facility{ExternalID: library.externalID, Name: library.name,
		Address: library.address}, AccessPoints: []string{"main"}, Status: status, Version: key.Version,
		Windows: []ingest.KeyRange{{StartsAt: rfc3339(&from), EndsAt: rfc3339(&until)}}}
	for _, door := range library.doors {
		keyRec.Facility.AccessPoints = append(keyRec.Facility.AccessPoints, ingest.AccessPoint{ExternalID: door.externalID, Name: door.name})
	}
	record(key.AgencyID, ingest.KindKeys, key.ExternalID, key.ID, keyRec)

	for j := range scaleNotifications {
		t := notificationText[j%len(notificationText)]
		at := store.UTC(g.at(-time.Duration(1+rng.IntN(30*24)) * time.Hour))
		nt := notify.Notification{ID: store.NewID(), CitizenID: c.ID, Category: t.category, Urgency: "normal",
			Link: "https://innsyn.example.kommune.no/", CreatedAt: at}
		if j >= scaleNotifications/2 {
			nt.ReadAt = timep(at.Add(time.Hour))
		}
		r.notifications = append(r.notifications, nt)
		r.text("notification", nt.ID, "title", t.title)
		feed("notification", nt.ID)
	}
	if errandID != "" {
		g.errandOf(r, rng, c.ID, digits, ext, errandID, errandCases)
	}
	return digits, nil
}

// dropCitizens removes the citizens with the given pseudonyms and everything generated for them.
func (r *rows) dropCitizens(pidHashes []string) {
	gone := map[string]bool{}
	r.citizens = slices.DeleteFunc(r.citizens, func(c citizens.Citizen) bool {
		if slices.Contains(pidHashes, c.PIDHash) {
			gone[c.ID] = true
		}
		return gone[c.ID]
	})
	r.cases = slices.DeleteFunc(r.cases, func(c cases.Case) bool { return drop(gone, c.CitizenID, c.ID) })
	r.bookings = slices.DeleteFunc(r.bookings, func(b bookings.Booking) bool { return drop(gone, b.CitizenID, b.ID) })
	r.keys = slices.DeleteFunc(r.keys, func(k keys.Key) bool { return drop(gone, k.CitizenID, k.ID) })
	r.notifications = slices.DeleteFunc(r.notifications, func(n notify.Notification) bool { return drop(gone, n.CitizenID, n.ID) })
	r.events = slices.DeleteFunc(r.events, func(e cases.Event) bool { return drop(gone, e.CaseID, e.ID) })
	r.errands = slices.DeleteFunc(r.errands, func(e errands.Errand) bool { return drop(gone, e.CitizenID, e.ID) })
	r.participants = slices.DeleteFunc(r.participants, func(p errands.Participant) bool { return gone[p.ErrandID] })
	r.steps = slices.DeleteFunc(r.steps, func(s errands.Step) bool { return drop(gone, s.CaseID, s.ID) })
	r.documents = slices.DeleteFunc(r.documents, func(d cases.Document) bool { return gone[d.CaseID] })
	r.tasks = slices.DeleteFunc(r.tasks, func(t tasks.Task) bool { return drop(gone, t.CitizenID, t.ID) })
	r.messages = slices.DeleteFunc(r.messages, func(m messages.Message) bool { return gone[m.CitizenID] })
	r.windows = slices.DeleteFunc(r.windows, func(w keys.Window) bool { return gone[w.KeyID] })
	r.keyDoors = slices.DeleteFunc(r.keyDoors, func(k keys.KeyAccessPoint) bool { return gone[k.KeyID] })
	r.relations = slices.DeleteFunc(r.relations, func(rel represent.Relation) bool {
		return drop(gone, rel.RepresentativeID, rel.ID) || drop(gone, rel.SubjectID, rel.ID)
	})
	r.texts = slices.DeleteFunc(r.texts, func(t texts.Text) bool { return gone[t.OwnerID] })
	r.changes = slices.DeleteFunc(r.changes, func(c changes.Change) bool { return c.CitizenID != nil && gone[*c.CitizenID] })
	r.records = slices.DeleteFunc(r.records, func(im ingest.Imported) bool {
		return im.CitizenID != nil && gone[*im.CitizenID] || gone[im.ObjectID]
	})
}

// drop marks id gone when its owner is gone and reports it.
func drop(gone map[string]bool, owner, id string) bool {
	if gone[owner] {
		gone[id] = true
	}
	return gone[id]
}
