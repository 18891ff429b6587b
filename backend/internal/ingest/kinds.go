package ingest

// The table of record kinds: each kind's name in the API's paths, its spec (how its records
// are parsed and applied), its singular name in the changes feed, the audit log and the outbox,
// and how the portal object behind a record is deleted. The write path is write.go.

import (
	"context"

	"minside/backend/internal/pid"
)

// Kind names a record type as it appears in the API's paths.
type Kind string

const (
	KindCases         Kind = "cases"
	KindBookings      Kind = "bookings"
	KindKeys          Kind = "keys"
	KindNotifications Kind = "notifications"
	KindRelations     Kind = "relations"
	KindTiles         Kind = "tiles"
	KindRules         Kind = "rules"
	KindTasks         Kind = "tasks"
	KindDrafts        Kind = "drafts"
	KindErrands       Kind = "errands"
	// KindReportServices are what can be reported (the reporting service); the external id is
	// the service code.
	KindReportServices Kind = "report-services"
)

// Kinds lists every record type, in the order the documentation shows them.
func Kinds() []Kind {
	return []Kind{KindCases, KindBookings, KindKeys, KindNotifications, KindRelations, KindTiles, KindRules, KindTasks, KindDrafts, KindErrands, KindReportServices}
}

// ParseKind accepts a path segment; ok is false for anything else.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// kindSpec is how one kind of record is parsed and applied.
type kindSpec interface {
	// parse decodes and validates body; pointers start with base.
	parse(body []byte, base string, pids pid.Options) (parsed, error)
}

// parsed is a valid record ready to be written.
type parsed interface {
	version() int64
	// apply writes the record over prev (nil when new) and returns what to remember.
	apply(ctx context.Context, w *writer, prev *record) (applied, error)
}

// applied is what a write produced: the portal object and the body to answer GET with.
type applied struct {
	objectID  string
	citizenID *string
	body      any
}

// specOf is the kind's spec on this service: the rules kind needs the fact model.
func (s *Service) specOf(k Kind) kindSpec {
	if k == KindRules {
		if s.rules == nil {
			return nil
		}
		return ruleSpec{env: s.rules}
	}
	return specOf(k)
}

// specOf is the spec of every kind that needs nothing but the record (not rules).
func specOf(k Kind) kindSpec {
	switch k {
	case KindCases:
		return caseSpec{}
	case KindBookings:
		return bookingSpec{}
	case KindKeys:
		return keySpec{}
	case KindNotifications:
		return notificationSpec{}
	case KindRelations:
		return relationSpec{}
	case KindTiles:
		return tileSpec{}
	case KindTasks:
		return taskSpec{}
	case KindDrafts:
		return taskSpec{draft: true}
	case KindErrands:
		return errandSpec{}
	case KindReportServices:
		return reportServiceSpec{}
	}
	return nil
}

// objectKind is the singular name used by the changes feed, the audit log and the outbox.
func objectKind(k Kind) string {
	switch k {
	case KindCases:
		return "case"
	case KindBookings:
		return "booking"
	case KindKeys:
		return "key"
	case KindNotifications:
		return "notification"
	case KindRelations:
		return "relation"
	case KindTiles:
		return "tile"
	case KindRules:
		return "rule"
	case KindTasks:
		return "task"
	case KindDrafts:
		return "draft"
	case KindErrands:
		return "errand"
	case KindReportServices:
		return "report_service"
	}
	return string(k)
}

// deleteObject removes the portal object behind r (its children cascade) and its texts.
func (w *writer) deleteObject(ctx context.Context, r *record) error {
	var err error
	switch Kind(r.Kind) {
	case KindCases:
		err = deleteCase(ctx, w, r)
	case KindBookings:
		err = deleteBooking(ctx, w, r)
	case KindKeys:
		err = deleteKey(ctx, w, r)
	case KindNotifications:
		err = deleteNotification(ctx, w, r)
	case KindRelations:
		err = deleteRelation(ctx, w, r)
	case KindTiles:
		err = deleteTile(ctx, w, r)
	case KindRules:
		err = deleteRule(ctx, w, r)
	case KindTasks, KindDrafts:
		err = deleteTask(ctx, w, r)
	case KindErrands:
		err = deleteErrand(ctx, w, r)
	case KindReportServices:
		err = deleteReportService(ctx, w, r)
	}
	return err
}
