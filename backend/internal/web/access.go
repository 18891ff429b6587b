package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
)

// Helpers every citizen handler uses to keep the access rules: filter with principalOf(c).View(),
// answer foreign ids with notFoundFor, and audit what a representative reads or does.
//
//	view := principalOf(c).View()
//	q = view.Apply(q, "citizen_id", "area")              // lists
//	if !view.Owns(row.CitizenID, row.Area) {              // details and actions
//		return s.notFoundFor(c, "case", id)
//	}
//	if err := s.auditRead(c, "case", id); err != nil { … }

// notFoundFor answers an object that does not exist or is not the caller's with 404 (no existence
// leak) and logs the attempt by citizen id, never by national id.
func (s *Server) notFoundFor(c *fiber.Ctx, objectKind, objectID string) error {
	p := principalOf(c)
	s.deps.Log.Info("object not found or not the caller's", "request_id", requestIDOf(c),
		"citizen_id", p.CitizenID, "subject_id", p.SubjectID, "object_kind", objectKind, "object_id", objectID)
	return apperr.NotFound()
}

// auditRead records a read done on someone's behalf (nothing when the citizen reads their own data).
func (s *Server) auditRead(c *fiber.Ctx, objectKind, objectID string) error {
	return s.auditActing(c, s.deps.DB, audit.ActionRead, objectKind, objectID, nil)
}

// auditActing records an action (or read) done on someone's behalf, in the caller's transaction
// when db is one, so the audit row exists exactly when the action happened. It records nothing
// when the citizen acts for themselves. The entry is visible to both people: actor_id is the
// representative, subject_id the person represented.
func (s *Server) auditActing(c *fiber.Ctx, db bun.IDB, action, objectKind, objectID string, detail map[string]any) error {
	p := principalOf(c)
	if !p.ActingAs {
		return nil
	}
	return audit.Record(c.UserContext(), db, audit.Entry{At: s.deps.Now(), ActorKind: audit.ActorRepresentative,
		ActorID: &p.CitizenID, SubjectID: &p.SubjectID, Action: action, ObjectKind: objectKind, ObjectID: objectID,
		Detail: detail, RequestID: requestIDOf(c)})
}
