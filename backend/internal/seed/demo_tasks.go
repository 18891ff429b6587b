package seed

import (
	"time"

	"minside/backend/internal/ingest"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// taskSpec is one demo task or draft; when is relative to now (a task's due date, a draft's expiry).
type taskSpec struct {
	who, agency, kind, area, link string
	title, body                   texts.Values
	when                          time.Duration
	sensitive                     bool
}

// tasks gives Ola an agency's task, a draft to continue, and a sensitive task that a MinID login
// sees only as "something sensitive from Helseetaten".
func (d *demo) tasks() {
	for _, s := range []taskSpec{
		{who: "ola", agency: AgencyBuilding, kind: tasks.KindTask, area: "building", when: 4 * day,
			title: texts.Values{"nb": "Last opp situasjonsplan", "nn": "Last opp situasjonsplan", "en": "Upload a site plan"},
			body:  v("Vi trenger en situasjonsplan for å behandle byggesaken din.", "We need a site plan to process your building case."),
			link:  "https://innsyn.example.kommune.no/plan-og-bygg/oppgave/situasjonsplan"},
		{who: "ola", agency: AgencyCulture, kind: tasks.KindDraft, area: "culture", when: 14 * day,
			title: texts.Values{"nb": "Søknad om kulturstipend", "nn": "Søknad om kulturstipend", "en": "Culture grant application"},
			body:  v("Du har startet en søknad som ikke er sendt.", "You started an application that has not been sent."),
			link:  "https://innsyn.example.kommune.no/kultur-idrett/soknad/utkast"},
		{who: "ola", agency: AgencyHealth, kind: tasks.KindTask, area: "health", when: 6 * day, sensitive: true,
			title: v("Fyll ut egenerklæring om helse før timen hos psykolog", "Fill in the health declaration before the psychologist appointment"),
			body:  v("Skjemaet gjelder din helse og vises bare med høyt innloggingsnivå.", "The form concerns your health and shows only at the high login level."),
			link:  "https://innsyn.example.kommune.no/helse/skjema/egenerklaering"},
	} {
		d.addTask(s)
	}
}

func (d *demo) addTask(s taskSpec) {
	at := d.at(s.when)
	t := tasks.Task{ID: store.NewID(), AgencyID: d.b.agency[s.agency], ExternalID: d.externalID(s.kind), Kind: s.kind, Version: 1,
		CitizenID: d.who[s.who], Area: s.area, Status: tasks.StatusOpen, Link: s.link, Sensitive: s.sensitive, CreatedAt: d.now, UpdatedAt: d.now}
	kind := ingest.KindTasks
	var rec any
	if s.kind == tasks.KindDraft {
		t.ExpiresAt, kind = &at, ingest.KindDrafts
		rec = ingest.DraftRecord{PID: d.pids[s.who], Area: s.area, Title: s.title, Body: s.body, Link: s.link,
			ExpiresAt: at.Format(time.RFC3339), Status: t.Status, Sensitive: s.sensitive, Version: 1}
	} else {
		t.DueAt = &at
		rec = ingest.TaskRecord{PID: d.pids[s.who], Area: s.area, Title: s.title, Body: s.body, DueAt: at.Format(time.RFC3339),
			Link: s.link, Status: t.Status, Sensitive: s.sensitive, Version: 1}
	}
	d.r.tasks = append(d.r.tasks, t)
	d.record(t.AgencyID, kind, t.ExternalID, t.ID, s.who, rec)
	d.r.text(tasks.TextOwner, t.ID, "title", s.title)
	d.r.text(tasks.TextOwner, t.ID, "body", s.body)
	d.changed(s.who, s.kind, t.ID)
}
