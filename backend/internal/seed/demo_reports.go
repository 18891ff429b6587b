package seed

import (
	"time"

	"minside/backend/internal/ingest"
	"minside/backend/internal/reports"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// reportServiceSpec is one thing the roads agency lets people report.
type reportServiceSpec struct {
	code, group, photo, place string
	name, description         texts.Values
	keywords                  []string
	questions                 []ingest.ReportQuestionRecord
}

// demoReport is one report near Oslo sentrum; who is "" for a report without login.
type demoReport struct {
	service, who, status, description, address string
	lat, lon                                   float64
	answers                                    map[string]any
	age                                        time.Duration
}

// reportServices has Bymiljøetaten publish four services, and a few reports near Oslo sentrum
// (one of them Ola's, one already fixed) so the nearby check and the public page show something.
func (d *demo) reportServices() {
	label := func(nb, en string) map[string]string { return map[string]string{"nb": nb, "en": en} }
	specs := []reportServiceSpec{
		{code: "street-light", group: "lighting", photo: reports.PhotoOptional, place: reports.PlaceRequired,
			name: v("Gatelys som ikke virker", "Street light out"), description: v("Et gatelys er mørkt, blinker eller lyser om dagen.", "A street light is dark, blinking or on by day."),
			keywords: []string{"lys", "lykt", "gatelykt"},
			questions: []ingest.ReportQuestionRecord{{Code: "fault", Label: label("Hva er feil?", "What is wrong?"), Type: reports.TypeSingleChoice, Required: true,
				Choices: []ingest.ReportChoiceRecord{{Key: "dark", Label: label("Lyser ikke", "Dark")}, {Key: "blinking", Label: label("Blinker", "Blinking")},
					{Key: "on_by_day", Label: label("Lyser om dagen", "On by day")}}},
				{Code: "pole", Label: label("Nummer på stolpen", "Number on the pole"), Type: reports.TypeText, Order: 2}}},
		{code: "pothole", group: "roads", photo: reports.PhotoOptional, place: reports.PlaceRequired,
			name: v("Hull i veien", "Pothole"), description: v("Hull eller skade i veidekket, fortau eller sykkelfelt.", "A hole or damage in the road, pavement or cycle lane."),
			keywords: []string{"hull", "asfalt", "vei"},
			questions: []ingest.ReportQuestionRecord{{Code: "where", Label: label("Hvor i veien?", "Where in the road?"), Type: reports.TypeMultiChoice,
				Choices: []ingest.ReportChoiceRecord{{Key: "road", Label: label("Kjørebanen", "Roadway")}, {Key: "pavement", Label: label("Fortauet", "Pavement")},
					{Key: "cycle_lane", Label: label("Sykkelfeltet", "Cycle lane")}}}}},
		{code: "graffiti", group: "graffiti", photo: reports.PhotoRequired, place: reports.PlaceOptional,
			name: v("Tagging og grafitti", "Graffiti"), description: v("Tagging på offentlige bygg, skilt eller murer.", "Graffiti on public buildings, signs or walls."),
			keywords: []string{"tagging", "grafitti"},
			questions: []ingest.ReportQuestionRecord{{Code: "offensive", Label: label("Er innholdet krenkende?", "Is it offensive?"), Type: reports.TypeSingleChoice,
				Choices: []ingest.ReportChoiceRecord{{Key: "yes", Label: label("Ja", "Yes")}, {Key: "no", Label: label("Nei", "No")}}}}},
		{code: "waste-not-collected", group: "waste", photo: reports.PhotoNone, place: reports.PlaceRequired,
			name: v("Avfall er ikke hentet", "Waste not collected"), description: v("Dunken eller returpunktet ble ikke tømt som planlagt.", "The bin or recycling point was not emptied as planned."),
			keywords:  []string{"søppel", "dunk", "renovasjon"},
			questions: []ingest.ReportQuestionRecord{{Code: "since", Label: label("Når skulle den vært tømt?", "When should it have been emptied?"), Type: reports.TypeDateTime}}},
	}
	agencyID := d.b.agency[AgencyRoads]
	ids := map[string]string{}
	for _, s := range specs {
		row := reports.ReportService{ID: store.NewID(), AgencyID: agencyID, Code: s.code, Group: s.group, Keywords: s.keywords, Photo: s.photo,
			Place: s.place, Questions: []reports.Question{}, Active: true, Version: 1, CreatedAt: d.now, UpdatedAt: d.now}
		for _, q := range s.questions {
			out := reports.Question{Code: q.Code, Label: q.Label, Type: q.Type, Required: q.Required, Order: q.Order}
			for _, ch := range q.Choices {
				out.Choices = append(out.Choices, reports.Choice{Key: ch.Key, Label: ch.Label})
			}
			row.Questions = append(row.Questions, out)
		}
		d.r.reportServices = append(d.r.reportServices, row)
		ids[s.code] = row.ID
		d.r.text(reports.TextOwnerService, row.ID, "name", s.name)
		d.r.text(reports.TextOwnerService, row.ID, "description", s.description)
		d.r.records = append(d.r.records, ingest.Imported{AgencyID: agencyID, Kind: ingest.KindReportServices, ExternalID: s.code, ObjectID: row.ID,
			At: d.now, Record: ingest.ReportServiceRecord{Name: s.name, Description: s.description, Group: s.group, Keywords: s.keywords,
				Photo: s.photo, Place: s.place, Questions: s.questions, Active: true, Version: 1}})
	}
	for _, r := range []demoReport{
		{service: "street-light", who: "ola", status: reports.StatusReceived, description: "Gatelyset ved trikkeholdeplassen er helt mørkt.",
			lat: 59.91273, lon: 10.74609, answers: map[string]any{"fault": "dark"}, age: 2 * day},
		{service: "street-light", status: reports.StatusSubmitted, description: "Lykta blinker hele natten.", address: "Karl Johans gate 22",
			lat: 59.91380, lon: 10.73870, answers: map[string]any{"fault": "blinking"}, age: 5 * hour},
		{service: "pothole", status: reports.StatusInProgress, description: "Dypt hull i sykkelfeltet, farlig i mørket.",
			lat: 59.91120, lon: 10.75020, answers: map[string]any{"where": []string{"cycle_lane"}}, age: 6 * day},
		{service: "graffiti", status: reports.StatusFixed, description: "Tagging på veggen ved inngangen.", address: "Youngstorget 1",
			lat: 59.91510, lon: 10.74930, answers: map[string]any{}, age: 12 * day},
		{service: "waste-not-collected", status: reports.StatusSubmitted, description: "Glass- og metallreturen er full.",
			lat: 59.91650, lon: 10.75280, answers: map[string]any{}, age: 1 * day},
	} {
		created := d.at(-r.age)
		lat, lon := int64(r.lat*1e6+0.5), int64(r.lon*1e6+0.5)
		rep := reports.Report{ID: store.NewID(), ServiceID: ids[r.service], AgencyID: agencyID, Channel: reports.ChannelOpen311,
			Description: r.description, LatMicro: &lat, LonMicro: &lon, Address: r.address, Answers: r.answers, Status: r.status,
			CreatedAt: created, UpdatedAt: created}
		if r.who != "" {
			c := d.who[r.who]
			rep.CitizenID, rep.Channel = &c, reports.ChannelCitizen
		}
		if !reports.IsOpen(r.status) {
			rep.ClosedAt = &rep.UpdatedAt
		}
		d.r.reports = append(d.r.reports, rep)
	}
}
