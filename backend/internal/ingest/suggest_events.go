package ingest

import (
	"context"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/suggest"
	"minside/backend/internal/tiles"
)

// suggestEvent asks for citizenID's rules to be evaluated on ev, in this write's transaction: the
// suggestion engine hears of every change, on whichever replica the outbox worker runs.
func (w *writer) suggestEvent(ctx context.Context, citizenID string, ev suggest.Event) error {
	m, err := suggest.NewEvaluateMessage(citizenID, w.req.AgencyID, ev, w.now)
	if err != nil {
		return err
	}
	return w.enqueue(ctx, m)
}

// caseEvent names what a case write was: created, decided (it reached decided now), or updated.
func caseEvent(existed bool, before, now CaseRecord, caseID string) suggest.Event {
	ev := suggest.Event{Kind: "case.updated", ObjectID: caseID, CaseKind: now.Kind, Status: now.Status}
	switch {
	case !existed:
		ev.Kind = "case.created"
	case now.Status == cases.StatusDecided && before.Status != now.Status:
		ev.Kind = "case.decided"
	}
	return ev
}

// relationEvents are a relation write's events for its representative: a guardianship of a child
// in their first year is a birth in the household.
func relationEvents(created, ended bool, kind, subjectID string, subjectBirth, now time.Time) suggest.Event {
	switch {
	case ended:
		return suggest.Event{Kind: "relation.ended", ObjectID: subjectID}
	case created && kind == "guardian" && tiles.AgeAt(subjectBirth, now) == 0:
		return suggest.Event{Kind: "child.born", ObjectID: subjectID}
	}
	return suggest.Event{Kind: "relation.created", ObjectID: subjectID}
}
