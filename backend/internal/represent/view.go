package represent

import (
	"slices"

	"github.com/uptrace/bun"
)

// View is whose data one request may see and in which areas. Every list and detail query of
// citizen data (cases, bookings, keys, notifications, …) applies it, so the access rules live in
// one place:
//
//	q := db.NewSelect().Model(&cases)
//	q = view.Apply(q, "c.citizen_id", "c.area")
//
// A citizen on their own has View{SubjectID: own id, Areas: nil}. A representative acting for
// someone has the subject's id and the areas the relation allows (nil: all, e.g. a guardian).
type View struct {
	SubjectID string   // whose data
	Areas     []string // nil: every area; empty non-nil: none
	ActorID   string   // the representative, when acting for someone; "" on one's own data
}

// Own is a citizen's view of their own data.
func Own(citizenID string) View { return View{SubjectID: citizenID} }

// ActingAs reports whether the view is someone else's data seen by a representative.
func (v View) ActingAs() bool { return v.ActorID != "" && v.ActorID != v.SubjectID }

// Allows reports whether an object of the subject in area may be shown. Objects without an area
// ("") are visible only to the person themselves and to representatives for every area.
func (v View) Allows(area string) bool {
	if v.Areas == nil {
		return true
	}
	return area != "" && slices.Contains(v.Areas, area)
}

// Owns reports whether an object owned by citizenID in area is visible in this view: the check for
// detail reads and actions. An object that fails it must be answered as not found.
func (v View) Owns(citizenID, area string) bool {
	return v.SubjectID != "" && citizenID == v.SubjectID && v.Allows(area)
}

// Apply restricts a query to the view: rows of the subject (citizenColumn) and, when the view is
// limited, in the allowed areas (areaColumn; pass "" for tables without areas, which then show
// nothing to a limited representative).
func (v View) Apply(q *bun.SelectQuery, citizenColumn, areaColumn string) *bun.SelectQuery {
	q = q.Where("? = ?", bun.Ident(citizenColumn), v.SubjectID)
	if v.Areas == nil {
		return q
	}
	if areaColumn == "" || len(v.Areas) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where("? IN (?)", bun.Ident(areaColumn), bun.In(v.Areas))
}
