package overview

import (
	"context"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
)

// auditRead records a read of someone else's data (acting as them, or opening a represented
// person's case), so that person can see who looked. Reads of one's own data are not audited.
func (s *Service) auditRead(ctx context.Context, sc *scope, subjectID, action, objectKind, objectID string) error {
	if e, ok := s.readEntry(sc, subjectID, action, objectKind, objectID); ok {
		return fail("audit", audit.Record(ctx, s.db, e))
	}
	return nil
}

// queueAuditRead is auditRead sent along with reads.
func (s *Service) queueAuditRead(reads *store.Reads, sc *scope, subjectID, action, objectKind, objectID string) error {
	if e, ok := s.readEntry(sc, subjectID, action, objectKind, objectID); ok {
		q, err := audit.Insert(s.db, e)
		if err != nil {
			return fail("audit", err)
		}
		reads.AddWrite(q)
	}
	return nil
}

func (s *Service) readEntry(sc *scope, subjectID, action, objectKind, objectID string) (audit.Entry, bool) {
	if subjectID == "" || subjectID == sc.viewer.CitizenID {
		return audit.Entry{}, false
	}
	actor := sc.viewer.CitizenID
	return audit.Entry{At: s.now(), ActorKind: audit.ActorRepresentative, ActorID: &actor, SubjectID: &subjectID,
		Action: action, ObjectKind: objectKind, ObjectID: objectID}, true
}
