package notify

import (
	"errors"
	"testing"
	"time"

	"minside/backend/internal/outbox"
	"minside/backend/internal/tasks"
)

// A task's push names only the agency (the title key takes nothing else), opens the overview, and
// says nothing once the task is closed, expired or (for the reminder) seen.
func TestDescribeTask(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	seen := now.Add(-time.Hour)
	open := &tasks.Task{ID: "t1", CitizenID: "c1", AgencyID: "a1", Kind: tasks.KindTask, Area: "health", Status: tasks.StatusOpen, Sensitive: true}
	closed := &tasks.Task{ID: "t2", CitizenID: "c1", AgencyID: "a1", Kind: tasks.KindTask, Status: tasks.StatusClosed}
	seenTask := &tasks.Task{ID: "t3", CitizenID: "c1", AgencyID: "a1", Kind: tasks.KindTask, Status: tasks.StatusOpen, SeenAt: &seen}
	o := objects{tasks: map[string]*tasks.Task{"t1": open, "t2": closed, "t3": seenTask}}
	ev := func(id, reason string) outbox.NotifyEvent {
		return outbox.NotifyEvent{CitizenID: "c1", Kind: "task", ObjectID: id, Reason: reason}
	}
	a, err := describe(ev("t1", "new"), o, now)
	if err != nil || a.titleKey != "push.task.new" || a.link != "/" || a.agencyID != "a1" || a.category != "cases" || a.area != "health" {
		t.Fatalf("new task: %+v %v", a, err)
	}
	if a, err = describe(ev("t1", "reminder"), o, now); err != nil || a.titleKey != "push.task.reminder" {
		t.Fatalf("reminder: %+v %v", a, err)
	}
	for _, tc := range []outbox.NotifyEvent{ev("t2", "new"), ev("t3", "reminder"), ev("gone", "new"), {CitizenID: "c2", Kind: "task", ObjectID: "t1", Reason: "new"}} {
		if _, err := describe(tc, o, now); !errors.Is(err, errNothingToSay) {
			t.Errorf("%+v: %v, want nothing to say", tc, err)
		}
	}
}
