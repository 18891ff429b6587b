package overview

import (
	"context"

	"minside/backend/internal/audit"
)

// auditRead records a read of someone else's data (acting as them, or opening a represented
// person's case), so that person can see who looked. Reads of one's own data are not audited.
func (s *Service) auditRead(ctx context.Context, sc *scope, subjectID, action, objectKind, objectID string) error {
	if subjectID == "" || subjectID == sc.viewer.CitizenID {
		return nil
	}
	actor := sc.viewer.CitizenID
	e := audit.Entry{At: s.now(), ActorKind: audit.ActorRepresentative, ActorID: &actor, SubjectID: &subjectID,
		Action: action, ObjectKind: objectKind, ObjectID: objectID}
	return fail("audit", audit.Record(ctx, s.db, e))
}
