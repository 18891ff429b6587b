package notify

import (
	"testing"

	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// An agency's answer to a message reaches the citizen's device in category "messages", titled with
// the agency's name only and linking to the case; a citizen's own message never pushes.
func TestAnswerToMessageIsPushed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		e.setLanguage(who, "en")
		agencyID := e.agency("Byggesak")
		caseID := e.caseFor(who, agencyID, cases.StatusInProgress)
		sub, _ := e.device(who)
		answer, own := store.NewID(), store.NewID()
		for _, m := range []struct{ id, direction string }{{answer, "agency"}, {own, "citizen"}} {
			if _, err := db.ExecContext(e.ctx, `INSERT INTO messages (id, subject_kind, subject_id, agency_id, citizen_id, direction, version, body, created_at)
				VALUES (?, 'case', ?, ?, ?, ?, 1, 'Takk', ?)`, m.id, caseID, agencyID, who, m.direction, store.UTC(e.clock.Now())); err != nil {
				t.Fatal(err)
			}
		}
		e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "message", ObjectID: own, Reason: "new"})
		e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "message", ObjectID: answer, Reason: "new"})
		e.drain()
		msgs, err := e.srv.WaitMessages(e.ctx, sub, 1)
		if err != nil {
			t.Fatal(err)
		}
		var p push.Payload
		if err := msgs[0].Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Title != "New answer from Byggesak" || p.URL != pushableLink("/cases/"+caseID) {
			t.Errorf("payload = %+v", p)
		}
		if n := len(e.pushJobs()); n != 1 {
			t.Errorf("%d pushes, want 1 (the citizen's own message is not pushed)", n)
		}
	})
}
