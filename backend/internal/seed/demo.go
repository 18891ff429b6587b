package seed

import (
	"fmt"
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/ingest"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/pid"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// demo builds the demo municipality's rows; every method adds one citizen-visible object with its
// texts and its change-feed row.
type demo struct {
	r    *rows
	b    *base
	now  time.Time
	who  map[string]string // persona key → citizen id
	pids map[string]string // persona key → synthetic number, for the records the agency would send
	next int               // running number for external ids
}

// at is a time relative to now.
func (d *demo) at(offset time.Duration) time.Time { return store.UTC(d.now.Add(offset)) }

func (d *demo) externalID(prefix string) string {
	d.next++
	return fmt.Sprintf("%s-%04d", prefix, d.next)
}

// record registers what the agency would have PUT for an object, as its own agency record.
func (d *demo) record(agencyID string, kind ingest.Kind, externalID, objectID, citizen string, rec any) {
	c := d.who[citizen]
	d.r.records = append(d.r.records, ingest.Imported{AgencyID: agencyID, Kind: kind, ExternalID: externalID,
		ObjectID: objectID, CitizenID: &c, Record: rec, At: d.now})
}

func (d *demo) changed(citizen, kind, id string) {
	c := d.who[citizen]
	d.r.changes = append(d.r.changes, changes.Change{CitizenID: &c, Kind: kind, ObjectID: id, Op: changes.OpUpsert, CreatedAt: d.now})
}

// demoRows builds the whole demo set (citizens, relations, roles, items, tiles) on the shared base.
func demoRows(dir *citizens.Directory, b *base, now time.Time) (*rows, error) {
	now = store.UTC(now)
	d := &demo{r: &rows{}, b: b, now: now, who: map[string]string{}, pids: map[string]string{}}
	for _, p := range personas {
		digits, err := demoPID(p.born)
		if err != nil {
			return nil, err
		}
		n, err := pid.Parse(digits, syntheticOnly)
		if err != nil {
			return nil, fmt.Errorf("seed: demo person %s: %w", p.key, err)
		}
		c := citizens.Citizen{ID: store.NewID(), PIDHash: dir.Pseudonym(n), PIDMasked: n.String(), BirthDate: n.BirthDate,
			Name: p.name, District: p.district, CreatedAt: now, UpdatedAt: now}
		d.r.citizens = append(d.r.citizens, c)
		d.who[p.key], d.pids[p.key] = c.ID, digits
	}
	d.preferences()
	d.representation()
	d.roles()
	addTiles(d.r, b, now)
	if err := addRules(d.r, b, now); err != nil {
		return nil, err
	}
	d.items()
	return d.r, nil
}

func (d *demo) preferences() {
	all := map[string]citizens.Channel{}
	for _, c := range notify.Categories {
		all[c] = citizens.Channel{Push: true, InApp: true}
	}
	for _, p := range []struct{ who, lang string }{{"maret", "se"}, {"olena", "uk"}, {"lan", "en"}, {"piotr", "pl"}, {"aisha", "ur"}} {
		d.r.preferences = append(d.r.preferences, citizens.Preferences{CitizenID: d.who[p.who], Language: p.lang,
			QuietStart: "22:00", QuietEnd: "07:00", Timezone: "Europe/Oslo", Channels: all,
			RepresentedNotifications: true, UpdatedAt: d.now})
	}
}

// relation adds a representation from the population register (the source of family relations).
func (d *demo) relation(kind, representative, subject string, scopes []string, from time.Time, until *time.Time) {
	rel := represent.Relation{ID: store.NewID(), AgencyID: d.b.agency[AgencyRegister],
		ExternalID: d.externalID("rel"), Version: 1, Kind: kind, RepresentativeID: d.who[representative],
		SubjectID: d.who[subject], Scopes: scopes, ValidFrom: store.UTC(from), ValidUntil: until,
		CreatedAt: d.now, UpdatedAt: d.now}
	d.r.relations = append(d.r.relations, rel)
	d.record(rel.AgencyID, ingest.KindRelations, rel.ExternalID, rel.ID, subject, ingest.RelationRecord{Kind: kind,
		RepresentativePID: d.pids[representative], SubjectPID: d.pids[subject], Scopes: scopes,
		ValidFrom: rfc3339(&rel.ValidFrom), ValidUntil: rfc3339(until), Version: rel.Version})
}

// guardian adds parental responsibility from birth until the child turns 18.
func (d *demo) guardian(parent, child string) {
	for _, p := range personas {
		if p.key == child {
			d.relation(represent.KindGuardian, parent, child, nil, p.born, timep(p.born.AddDate(18, 0, 0)))
			return
		}
	}
	panic("seed: unknown child " + child)
}

func (d *demo) representation() {
	for _, parent := range []string{"kari", "ola"} {
		d.guardian(parent, "emma")
		d.guardian(parent, "jonas")
	}
	d.guardian("aisha", "yusuf")
	d.guardian("aisha", "sara") // ended when Sara turned 18
	for _, parent := range []string{"fatima", "ahmed"} {
		d.guardian(parent, "amina")
	}
	d.relation(represent.KindPowerOfAttorney, "lars", "ingrid", []string{"health"}, d.at(-200*day), timep(d.at(530*day)))
	d.relation(represent.KindPowerOfAttorney, "per", "berit", []string{"health", "building"}, d.at(-400*day), timep(d.at(-35*day)))
}

func (d *demo) roles() {
	for _, r := range []struct{ who, role, scope string }{
		{"annelise", "agency_editor", AgencyLibrary}, {"olena", "translator", "se"}, {"olena", "translator", "uk"},
	} {
		d.r.roles = append(d.r.roles, citizens.Role{CitizenID: d.who[r.who], Role: r.role, Scope: r.scope, GrantedAt: d.now})
	}
}

// event is one timeline entry of a demo case, ago before now.
type event struct {
	ago         time.Duration
	status      string
	title, body texts.Values
}

// caseSpec is one demo case.
type caseSpec struct {
	who, agency, kind, area, status string
	title, titlePublic, nextAction  texts.Values
	due                             *time.Duration
	events                          []event
	documents                       []string // document names; the URL is derived
	acknowledge                     string   // the name of a document the person must confirm having read, by due
	sensitive                       bool     // shown below the step-up login level only as "sensitive matter from <agency>"
}

func (d *demo) addCase(s caseSpec) string {
	ext := d.externalID("sak")
	created := d.now
	if len(s.events) > 0 {
		created = d.at(-s.events[0].ago)
	}
	c := cases.Case{ID: store.NewID(), AgencyID: d.b.agency[s.agency], ExternalID: ext, Version: int64(len(s.events)),
		CitizenID: d.who[s.who], Kind: s.kind, Area: s.area, Status: s.status, NextActionDue: relTime(d.now, s.due),
		DeepLink: "https://innsyn.example.kommune.no/" + s.agency + "/sak/" + ext, Sensitive: s.sensitive, CreatedAt: created, UpdatedAt: created}
	for i, e := range s.events {
		status := e.status
		ev := cases.Event{ID: store.NewID(), CaseID: c.ID, ExternalID: fmt.Sprintf("%s-h%d", ext, i+1),
			OccurredAt: d.at(-e.ago), CreatedAt: d.at(-e.ago)}
		if status != "" {
			ev.Status = &status
		}
		c.UpdatedAt = ev.OccurredAt
		d.r.events = append(d.r.events, ev)
		d.r.text("case_event", ev.ID, "title", e.title)
		if e.body != nil {
			d.r.text("case_event", ev.ID, "body", e.body)
		}
	}
	for i, name := range s.documents {
		d.r.documents = append(d.r.documents, cases.Document{ID: store.NewID(), CaseID: c.ID,
			ExternalID: fmt.Sprintf("%s-d%d", ext, i+1), Name: name, DocType: "application/pdf",
			URL: fmt.Sprintf("https://innsyn.example.kommune.no/%s/sak/%s/dokument/%d", s.agency, ext, i+1), CreatedAt: c.UpdatedAt})
		if name == s.acknowledge {
			doc := &d.r.documents[len(d.r.documents)-1]
			doc.Requires, doc.DueAt = cases.RequiresAcknowledge, relTime(d.now, s.due)
		}
	}
	d.r.cases = append(d.r.cases, c)
	d.record(c.AgencyID, ingest.KindCases, ext, c.ID, s.who, d.caseRecord(s, c))
	d.r.text("case", c.ID, "title", s.title)
	if s.titlePublic != nil {
		d.r.text("case", c.ID, "title_public", s.titlePublic)
	}
	if s.nextAction != nil {
		d.r.text("case", c.ID, "next_action", s.nextAction)
	}
	d.changed(s.who, "case", c.ID)
	return c.ID
}

// bookingSpec is one demo booking; start is relative to now, cancellable relative to start.
type bookingSpec struct {
	who, agency, area, place, address, status string
	resource                                  texts.Values
	start, length                             time.Duration
	cancellableBefore                         *time.Duration
}

func (d *demo) addBooking(s bookingSpec) bookings.Booking {
	b := bookings.Booking{ID: store.NewID(), AgencyID: d.b.agency[s.agency], ExternalID: d.externalID("bok"), Version: 1,
		CitizenID: d.who[s.who], Area: s.area, PlaceName: s.place, PlaceAddress: s.address,
		StartsAt: d.at(s.start), EndsAt: d.at(s.start + s.length), Status: s.status,
		CreatedAt: d.at(min(s.start, 0) - 14*day), UpdatedAt: d.at(min(s.start, 0) - 14*day)}
	if s.cancellableBefore != nil {
		b.CancellableUntil = timep(b.StartsAt.Add(-*s.cancellableBefore))
	}
	if s.status == bookings.StatusCancelled {
		b.CancelledAt, b.UpdatedAt = timep(d.at(-2*day)), d.at(-2*day)
	}
	d.r.bookings = append(d.r.bookings, b)
	d.record(b.AgencyID, ingest.KindBookings, b.ExternalID, b.ID, s.who, ingest.BookingRecord{PID: d.pids[s.who],
		Resource: s.resource, Place: ingest.Place{Name: s.place, Address: s.address}, StartsAt: rfc3339(&b.StartsAt),
		EndsAt: rfc3339(&b.EndsAt), Status: s.status, CancellableUntil: rfc3339(b.CancellableUntil), Area: s.area, Version: b.Version})
	d.r.text("booking", b.ID, "resource", s.resource)
	d.changed(s.who, "booking", b.ID)
	return b
}

// addKey grants who the given doors of a facility during the windows (relative to now).
func (d *demo) addKey(who, fac string, doors []string, status string, booking *bookings.Booking, windows ...[2]time.Duration) {
	f := d.b.facilities[fac]
	k := keys.Key{ID: store.NewID(), AgencyID: d.b.agency[f.agency], ExternalID: d.externalID("key"), Version: 1,
		CitizenID: d.who[who], FacilityID: d.b.facility[fac], Status: status,
		CreatedAt: d.at(windows[0][0] - 7*day), UpdatedAt: d.at(windows[0][0] - 7*day)}
	for i, w := range windows {
		from, until := d.at(w[0]), d.at(w[1])
		if i == 0 || from.Before(k.ValidFrom) {
			k.ValidFrom = from
		}
		if until.After(k.ValidUntil) {
			k.ValidUntil = until
		}
		d.r.windows = append(d.r.windows, keys.Window{ID: store.NewID(), KeyID: k.ID, StartsAt: from, EndsAt: until})
	}
	rec := ingest.KeyRecord{PID: d.pids[who], Facility: ingest.Facility{ExternalID: f.externalID, Name: f.name, Address: f.address, OpeningHours: f.openingHours},
		AccessPoints: doors, Status: status, Version: k.Version}
	for _, door := range f.doors {
		rec.Facility.AccessPoints = append(rec.Facility.AccessPoints, ingest.AccessPoint{ExternalID: door.externalID, Name: door.name})
	}
	for _, w := range d.r.windows[len(d.r.windows)-len(windows):] {
		rec.Windows = append(rec.Windows, ingest.KeyRange{StartsAt: rfc3339(&w.StartsAt), EndsAt: rfc3339(&w.EndsAt)})
	}
	if booking != nil {
		k.BookingID, rec.BookingExternalID = &booking.ID, booking.ExternalID
	}
	for _, door := range doors {
		d.r.keyDoors = append(d.r.keyDoors, keys.KeyAccessPoint{KeyID: k.ID, AccessPointID: d.b.doors[fac][door]})
	}
	d.r.keys = append(d.r.keys, k)
	d.record(k.AgencyID, ingest.KindKeys, k.ExternalID, k.ID, who, rec)
	d.changed(who, "key", k.ID)
}

// notificationSpec is one demo notification, ago before now.
type notificationSpec struct {
	who, agency, category, urgency, link string
	ago                                  time.Duration
	read                                 bool
	title, body                          texts.Values
}

func (d *demo) addNotification(s notificationSpec) {
	n := notify.Notification{ID: store.NewID(), CitizenID: d.who[s.who], Category: s.category, Urgency: s.urgency,
		Link: s.link, CreatedAt: d.at(-s.ago)}
	if s.agency != "" {
		n.AgencyID, n.ExternalID = strp(d.b.agency[s.agency]), strp(d.externalID("varsel"))
		rec := ingest.NotificationRecord{PID: d.pids[s.who], Category: s.category, Title: s.title, Body: s.body, Link: s.link,
			Urgency: s.urgency, Version: 1}
		// A message about a case links to it, as an agency naming its case (caseExternalId) gets.
		if c := d.caseOf(s.who, *n.AgencyID); s.category == "cases" && c != nil {
			n.Link, rec.Link, rec.CaseExternalID = "/cases/"+c.ID, "", c.ExternalID
		}
		d.record(*n.AgencyID, ingest.KindNotifications, *n.ExternalID, n.ID, s.who, rec)
	}
	if s.read {
		n.ReadAt = timep(d.at(-s.ago + time.Hour))
	}
	d.r.notifications = append(d.r.notifications, n)
	d.r.text("notification", n.ID, "title", s.title)
	d.r.text("notification", n.ID, "body", s.body)
	d.changed(s.who, "notification", n.ID)
}

// caseOf is the open case of agencyID about who (the first awaiting them, else the first), or nil.
func (d *demo) caseOf(who, agencyID string) *cases.Case {
	var found *cases.Case
	for i, c := range d.r.cases {
		if c.CitizenID != d.who[who] || c.AgencyID != agencyID {
			continue
		}
		if c.Status == cases.StatusAwaitingCitizen {
			return &d.r.cases[i]
		}
		if found == nil {
			found = &d.r.cases[i]
		}
	}
	return found
}

// caseRecord is the case as its agency would send it: the timeline, documents and next action
// that addCase wrote as rows.
func (d *demo) caseRecord(s caseSpec, c cases.Case) ingest.CaseRecord {
	rec := ingest.CaseRecord{PID: d.pids[s.who], Title: s.title, TitlePublic: s.titlePublic, Kind: s.kind, Area: s.area,
		Status: s.status, DeepLink: c.DeepLink, Sensitive: s.sensitive, Version: c.Version}
	if s.nextAction != nil {
		rec.NextAction = &ingest.NextAction{Text: s.nextAction, DueAt: rfc3339(c.NextActionDue)}
	}
	for _, ev := range d.r.events {
		if ev.CaseID != c.ID {
			continue
		}
		e := ingest.CaseEvent{ExternalID: ev.ExternalID, OccurredAt: rfc3339(&ev.OccurredAt)}
		if ev.Status != nil {
			e.Status = *ev.Status
		}
		rec.Events = append(rec.Events, e)
	}
	for i, e := range s.events {
		rec.Events[i].Title, rec.Events[i].Body = e.title, e.body
	}
	for _, doc := range d.r.documents {
		if doc.CaseID == c.ID {
			cd := ingest.CaseDocument{ExternalID: doc.ExternalID, Name: doc.Name, Type: doc.DocType, URL: doc.URL, Requires: doc.Requires}
			if doc.DueAt != nil {
				cd.DueAt = doc.DueAt.Format(time.RFC3339)
			}
			rec.Documents = append(rec.Documents, cd)
		}
	}
	return rec
}
