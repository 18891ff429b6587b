package seed

import (
	"math/rand/v2"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/errands"
	"minside/backend/internal/ingest"
	"minside/backend/internal/messages"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// scaleErrandEvery: one synthetic citizen in this many has the busiest first screen there is — an
// errand whose three cases come from three agencies (a step waiting for a third party), a
// document to acknowledge, an open task, a draft to continue and a conversation with an unread
// answer — so the overview benchmark measures that read path at city scale too.
const scaleErrandEvery = 5

// errandCaseTypes are an errand citizen's three cases: a garage touches three agencies.
var errandCaseTypes = []struct {
	agency, kind, area string
	title              texts.Values
}{
	{AgencyBuilding, "building_permit", "building", v("Byggesøknad: garasje", "Building permit: garage")},
	{AgencyRoads, "road_access", "building", v("Avkjørselstillatelse", "Road access permit")},
	{AgencyWater, "water_connection", "building", v("Tilknytning til vann og avløp", "Water and sewer connection")},
}

var (
	errandTitle  = v("Garasje", "Garage")
	stepText     = v("Vi venter på uttalelse fra Byantikvaren", "We are waiting for the heritage office's statement")
	stepParty    = v("Byantikvaren", "The heritage office")
	taskTitle    = v("Last opp situasjonsplan", "Upload a site plan")
	draftTitle   = v("Søknad om ferdigattest", "Application for a completion certificate")
	questionBody = "Når kan jeg forvente svar på søknaden?"
	answerBody   = "Vi venter på uttalelse fra Byantikvaren og svarer deg innen tre uker."
	documentName = "Mangelbrev"
)

// hasErrand reports whether synthetic citizen i is one of the errand citizens.
func hasErrand(i int) bool { return i%scaleErrandEvery == 0 }

// errandOf adds, for a citizen whose cases are caseIDs (one per errandCaseTypes, in order), the
// errand over them and the rest of a busy first screen. The case records already name the errand.
func (g *generator) errandOf(r *rows, rng *rand.Rand, citizenID, digits, ext, errandID string, caseIDs []string) {
	lead := g.b.agency[AgencyBuilding]
	var statuses []string
	for j := range r.cases {
		if c := &r.cases[j]; c.ErrandID != nil && *c.ErrandID == errandID {
			statuses = append(statuses, c.Status)
		}
	}
	e := errands.Errand{ID: errandID, AgencyID: lead, ExternalID: ext + "-aerend", Version: 1, CitizenID: citizenID, Area: "building",
		Status: errands.Merged(statuses), CreatedAt: g.at(-30 * day), UpdatedAt: g.now}
	r.errands = append(r.errands, e)
	for _, slug := range []string{AgencyRoads, AgencyWater} {
		r.participants = append(r.participants, errands.Participant{ErrandID: e.ID, AgencyID: g.b.agency[slug]})
	}
	r.text("errand", e.ID, "title", errandTitle)
	r.records = append(r.records, ingest.Imported{AgencyID: lead, Kind: ingest.KindErrands, ExternalID: e.ExternalID, ObjectID: e.ID,
		CitizenID: &citizenID, At: g.now, Record: ingest.ErrandRecord{PID: digits, Title: errandTitle, Area: "building",
			Participants: []string{AgencyRoads, AgencyWater}, Version: 1}})
	feed := func(kind, id string) {
		r.changes = append(r.changes, changes.Change{CitizenID: &citizenID, Kind: kind, ObjectID: id, Op: changes.OpUpsert, CreatedAt: g.now})
	}
	feed("errand", e.ID)

	stepDue := timep(g.at(time.Duration(7+rng.IntN(21)) * day))
	st := errands.Step{ID: store.NewID(), CaseID: caseIDs[0], WaitingFor: errands.WaitingThirdParty, DueAt: stepDue, CreatedAt: g.now}
	r.steps = append(r.steps, st)
	r.text("case_step", st.ID, "text", stepText)
	r.text("case_step", st.ID, "party", stepParty)

	docDue := timep(g.at(time.Duration(3+rng.IntN(14)) * day))
	r.documents = append(r.documents, cases.Document{ID: store.NewID(), CaseID: caseIDs[0], ExternalID: ext + "-mangelbrev",
		Name: documentName, DocType: "application/pdf", URL: "https://innsyn.example.kommune.no/plan-og-bygg/dok/" + ext,
		Requires: cases.RequiresAcknowledge, DueAt: docDue, CreatedAt: g.now})

	due, expires := g.at(time.Duration(2+rng.IntN(12))*day), g.at(time.Duration(10+rng.IntN(50))*day)
	roads := g.b.agency[AgencyRoads]
	task := tasks.Task{ID: store.NewID(), AgencyID: roads, ExternalID: ext + "-oppgave", Kind: tasks.KindTask, Version: 1, CitizenID: citizenID,
		Area: "building", Status: tasks.StatusOpen, DueAt: timep(due), Link: "https://innsyn.example.kommune.no/bymiljoetaten/oppgave/" + ext,
		CaseID: &caseIDs[1], CreatedAt: g.now, UpdatedAt: g.now}
	draft := tasks.Task{ID: store.NewID(), AgencyID: lead, ExternalID: ext + "-utkast", Kind: tasks.KindDraft, Version: 1, CitizenID: citizenID,
		Area: "building", Status: tasks.StatusOpen, ExpiresAt: timep(expires), Link: "https://innsyn.example.kommune.no/plan-og-bygg/utkast/" + ext,
		CreatedAt: g.now, UpdatedAt: g.now}
	r.tasks = append(r.tasks, task, draft)
	r.text(tasks.TextOwner, task.ID, "title", taskTitle)
	r.text(tasks.TextOwner, draft.ID, "title", draftTitle)
	r.records = append(r.records,
		ingest.Imported{AgencyID: roads, Kind: ingest.KindTasks, ExternalID: task.ExternalID, ObjectID: task.ID, CitizenID: &citizenID, At: g.now,
			Record: ingest.TaskRecord{PID: digits, Area: task.Area, Title: taskTitle, DueAt: due.Format(time.RFC3339), Link: task.Link,
				Status: task.Status, Version: 1}},
		ingest.Imported{AgencyID: lead, Kind: ingest.KindDrafts, ExternalID: draft.ExternalID, ObjectID: draft.ID, CitizenID: &citizenID, At: g.now,
			Record: ingest.DraftRecord{PID: digits, Area: draft.Area, Title: draftTitle, Link: draft.Link,
				ExpiresAt: expires.Format(time.RFC3339), Status: draft.Status, Version: 1}})
	feed(tasks.KindTask, task.ID)
	feed(tasks.KindDraft, draft.ID)

	asked := g.at(-time.Duration(2+rng.IntN(5)) * day)
	seen, answered := timep(asked.Add(3*time.Hour)), store.UTC(asked.Add(26*time.Hour))
	answerID := ext + "-svar"
	question := messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: caseIDs[0], AgencyID: lead, CitizenID: citizenID,
		Direction: messages.FromCitizen, AuthorID: &citizenID, Version: 1, Body: questionBody, CreatedAt: store.UTC(asked), SeenAt: seen}
	answer := messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: caseIDs[0], AgencyID: lead, CitizenID: citizenID,
		Direction: messages.FromAgency, ExternalID: &answerID, Version: 1, Body: answerBody, CreatedAt: answered}
	r.messages = append(r.messages, question, answer)
	feed("message", question.ID)
	feed("message", answer.ID)
}

// errandRef is what the case records of an errand citizen say about their errand.
func errandRef(ext string) *ingest.ErrandRef {
	return &ingest.ErrandRef{Agency: AgencyBuilding, ExternalID: ext + "-aerend"}
}
