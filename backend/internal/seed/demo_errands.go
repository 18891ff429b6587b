package seed

import (
	"slices"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/ingest"
	"minside/backend/internal/messages"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// garageErrand is the lead agency's external id of Ola's garage errand.
const garageErrand = "garasje-kirkeveien-88"

// garage makes Ola's garage one errand of three agencies: his building permit (Plan- og
// bygningsetaten, the lead, waiting for him and for the heritage office's statement), road access
// (Bymiljøetaten, in progress) and the water connection (Vann- og avløpsetaten, waiting for the
// plumber's application). Every case is shared with the errand, so each agency sees the others.
func (d *demo) garage() {
	received := v("Søknaden er mottatt", "Application received")
	road := d.addCase(caseSpec{who: "ola", agency: AgencyRoads, kind: "road_access", area: "building", status: cases.StatusInProgress,
		title: v("Avkjørselstillatelse: Kirkeveien 88", "Road access permit: Kirkeveien 88"),
		events: []event{{20 * day, cases.StatusReceived, received, nil},
			{6 * day, cases.StatusInProgress, v("Befaring av avkjørselen er gjennomført", "The road access has been inspected"), nil}}})
	water := d.addCase(caseSpec{who: "ola", agency: AgencyWater, kind: "water_connection", area: "building", status: cases.StatusReceived,
		title:  v("Tilknytning til vann og avløp: garasje, Kirkeveien 88", "Water and sewer connection: garage, Kirkeveien 88"),
		events: []event{{4 * day, cases.StatusReceived, received, nil}}})
	i := slices.IndexFunc(d.r.cases, func(c cases.Case) bool { return c.CitizenID == d.who["ola"] && c.Kind == "building_permit" })
	building := d.r.cases[i].ID
	stepDue := map[string]*time.Time{building: relTime(d.now, durp(12*day)), water: relTime(d.now, durp(20*day))}

	lead := d.b.agency[AgencyBuilding]
	e := errands.Errand{ID: store.NewID(), AgencyID: lead, ExternalID: garageErrand, Version: 1, CitizenID: d.who["ola"],
		Area: "building", CreatedAt: d.at(-25 * day), UpdatedAt: d.now}
	var statuses []string
	for j := range d.r.cases {
		if c := &d.r.cases[j]; slices.Contains([]string{building, road, water}, c.ID) {
			c.ErrandID, c.SharedWithErrand = &e.ID, true
			statuses = append(statuses, c.Status)
		}
	}
	e.Status = errands.Merged(statuses)
	d.r.errands = append(d.r.errands, e)
	for _, slug := range []string{AgencyRoads, AgencyWater} {
		d.r.participants = append(d.r.participants, errands.Participant{ErrandID: e.ID, AgencyID: d.b.agency[slug]})
	}
	title := texts.Values{"nb": "Garasje i Kirkeveien 88", "nn": "Garasje i Kirkevegen 88", "en": "Garage at Kirkeveien 88"}
	d.r.text("errand", e.ID, "title", title)
	d.record(lead, ingest.KindErrands, garageErrand, e.ID, "ola", ingest.ErrandRecord{PID: d.pids["ola"], Title: title,
		Area: "building", Participants: []string{AgencyRoads, AgencyWater}, Version: 1})

	steps := map[string][]ingest.CaseStep{
		building: {{Text: v("Vi venter på uttalelse fra Byantikvaren om garasjen i verneområdet",
			"We are waiting for the heritage office's statement on the garage in the conservation area"),
			WaitingFor: errands.WaitingThirdParty, Party: v("Byantikvaren", "The heritage office"), DueAt: rfc3339(stepDue[building])}},
		road: {{Text: v("Vi vurderer sikt og plassering av avkjørselen", "We are assessing the sight lines and position of the access"),
			WaitingFor: errands.WaitingAgency}},
		water: {{Text: v("Rørleggeren må sende søknad om sanitærabonnement", "The plumber must send the application for a sanitary subscription"),
			WaitingFor: errands.WaitingThirdParty, Party: v("Rørleggeren din", "Your plumber"), DueAt: rfc3339(stepDue[water])}},
	}
	for _, caseID := range []string{building, road, water} {
		for pos, st := range steps[caseID] {
			row := errands.Step{ID: store.NewID(), CaseID: caseID, Position: pos, WaitingFor: st.WaitingFor,
				DueAt: stepDue[caseID], CreatedAt: d.now}
			d.r.steps = append(d.r.steps, row)
			d.r.text("case_step", row.ID, "text", st.Text)
			if st.Party != nil {
				d.r.text("case_step", row.ID, "party", st.Party)
			}
		}
		// The agency records of the three cases say what the agencies sent: the errand, shared, the steps.
		for k := range d.r.records {
			if r := &d.r.records[k]; r.ObjectID == caseID {
				rec := r.Record.(ingest.CaseRecord)
				rec.Errand, rec.SharedWithErrand, rec.NextSteps = &ingest.ErrandRef{Agency: AgencyBuilding, ExternalID: garageErrand}, true, steps[caseID]
				r.Record = rec
			}
		}
	}
	d.garageMessages(e.ID)
	d.changed("ola", "errand", e.ID)
}

// garageMessages is the thread on the garage errand: Ola asked the water agency (not the lead)
// about the plumber's application, the agency read it and answered; the answer is not read yet.
func (d *demo) garageMessages(errandID string) {
	water, ola := d.b.agency[AgencyWater], d.who["ola"]
	asked, seen, answered := d.at(-3*day), d.at(-2*day), d.at(-1*day)
	ext := "svar-garasje-1"
	question, answer := store.NewID(), store.NewID()
	d.r.messages = append(d.r.messages,
		messages.Message{ID: question, SubjectKind: messages.SubjectErrand, SubjectID: errandID, AgencyID: water, CitizenID: ola,
			Direction: messages.FromCitizen, AuthorID: &ola, Version: 1, CreatedAt: asked, SeenAt: &seen,
			Body: "Kan rørleggeren sende søknaden om sanitærabonnement før byggetillatelsen er gitt?"},
		messages.Message{ID: answer, SubjectKind: messages.SubjectErrand, SubjectID: errandID, AgencyID: water, CitizenID: ola,
			Direction: messages.FromAgency, ExternalID: &ext, Version: 1, CreatedAt: answered,
			Body: "Ja, søknaden kan sendes nå. Vi behandler den når byggetillatelsen er gitt."})
	d.changed("ola", "message", question)
	d.changed("ola", "message", answer)
}

// extension makes Kari's building permit for the extension an errand of its own that the water
// agency may join but has not yet: an errand of one case, waiting for the neighbours' comments.
func (d *demo) extension() {
	d.oneCaseErrand("kari", "building_permit", AgencyBuilding, "tilbygg-gyldenloves-gate-12", "building",
		v("Tilbygg i Gyldenløves gate 12", "Extension at Gyldenløves gate 12"), []string{AgencyWater},
		ingest.CaseStep{Text: v("Naboene kan komme med merknader til tilbygget", "The neighbours may comment on the extension"),
			WaitingFor: errands.WaitingThirdParty, Party: v("Naboene", "The neighbours")})
}

// oneCaseErrands make Berit's property tax and Máret's culture grant errands of one case each,
// waiting for a third party: two people no other browser test logs in as have an errand page,
// one for each reading direction the reflow test switches them to.
func (d *demo) oneCaseErrands() {
	d.oneCaseErrand("berit", "property_tax", AgencyBuilding, "eiendomsskatt-johansen", "building",
		v("Eiendomsskatt", "Property tax"), nil,
		ingest.CaseStep{Text: v("Takstnemnda vurderer klagen din", "The valuation board considers your appeal"),
			WaitingFor: errands.WaitingThirdParty, Party: v("Takstnemnda", "The valuation board")})
	d.oneCaseErrand("maret", "grant", AgencyCulture, "kulturstipend-eira", "culture",
		v("Kulturstipend", "Culture grant"), nil,
		ingest.CaseStep{Text: v("Kulturrådet gir en uttalelse om søknaden", "The arts council comments on the application"),
			WaitingFor: errands.WaitingThirdParty, Party: v("Kulturrådet", "The arts council")})
}

// oneCaseErrand makes who's case of kind an errand of its own under lead, which the agencies
// joinable may join, with one step waiting nine days.
func (d *demo) oneCaseErrand(who, kind, lead, externalID, area string, title texts.Values, joinable []string, step ingest.CaseStep) {
	i := slices.IndexFunc(d.r.cases, func(c cases.Case) bool { return c.CitizenID == d.who[who] && c.Kind == kind })
	c := &d.r.cases[i]
	leadID := d.b.agency[lead]
	e := errands.Errand{ID: store.NewID(), AgencyID: leadID, ExternalID: externalID, Version: 1, CitizenID: c.CitizenID,
		Area: area, Status: errands.Merged([]string{c.Status}), CreatedAt: c.CreatedAt, UpdatedAt: d.now}
	c.ErrandID, c.SharedWithErrand = &e.ID, true
	d.r.errands = append(d.r.errands, e)
	for _, slug := range joinable {
		d.r.participants = append(d.r.participants, errands.Participant{ErrandID: e.ID, AgencyID: d.b.agency[slug]})
	}
	d.r.text("errand", e.ID, "title", title)
	d.record(leadID, ingest.KindErrands, e.ExternalID, e.ID, who, ingest.ErrandRecord{PID: d.pids[who], Title: title,
		Area: area, Participants: append([]string{}, joinable...), Version: 1})
	step.DueAt = rfc3339(relTime(d.now, durp(9*day)))
	row := errands.Step{ID: store.NewID(), CaseID: c.ID, WaitingFor: step.WaitingFor, DueAt: relTime(d.now, durp(9*day)), CreatedAt: d.now}
	d.r.steps = append(d.r.steps, row)
	d.r.text("case_step", row.ID, "text", step.Text)
	d.r.text("case_step", row.ID, "party", step.Party)
	for k := range d.r.records {
		if r := &d.r.records[k]; r.ObjectID == c.ID {
			rec := r.Record.(ingest.CaseRecord)
			rec.Errand, rec.SharedWithErrand = &ingest.ErrandRef{Agency: lead, ExternalID: e.ExternalID}, true
			rec.NextSteps = []ingest.CaseStep{step}
			r.Record = rec
		}
	}
	d.changed(who, "errand", e.ID)
}
