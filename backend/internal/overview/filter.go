package overview

import (
	"strings"

	"minside/backend/internal/store"
)

// whose is the SQL predicate "the item belongs to someone visible, in an area the viewer may see":
// people seen in full by id, people seen through a scoped power of attorney by id and area. An
// empty areaCol means the items carry no area, so only people seen in full qualify.
func (sc *scope) whose(citizenCol, areaCol string) (string, []any) {
	var full []string
	var parts []string
	var args []any
	for _, sub := range sc.visible {
		switch {
		case sub.all:
			full = append(full, sub.id)
		case areaCol != "" && len(sub.areas) > 0:
			parts = append(parts, "("+citizenCol+" = ? AND "+areaCol+" IN (?))")
			args = append(args, sub.id, store.In(sub.areas))
		}
	}
	if len(full) > 0 {
		parts = append([]string{citizenCol + " IN (?)"}, parts...)
		args = append([]any{store.In(full)}, args...)
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// inIDs is an IN list of ids.
func inIDs(ids []string) any { return store.In(ids) }
