package errands

import (
	"slices"

	"minside/backend/internal/cases"
)

// precedence orders case statuses by how much they say about the whole errand: anything waiting
// on the citizen is what the citizen must hear first; then work still going on (in progress beats
// merely received); only when every case is decided or closed is the errand decided, and closed
// only when all are closed.
var precedence = []string{cases.StatusAwaitingCitizen, cases.StatusInProgress, cases.StatusReceived, cases.StatusDecided, cases.StatusClosed}

// Merged is the errand's one status over the statuses of its cases, in the cases' own vocabulary
// (so the PWA labels it like a case). An errand without cases yet is received.
func Merged(statuses []string) string {
	for _, s := range precedence {
		if slices.Contains(statuses, s) {
			return s
		}
	}
	return cases.StatusReceived
}
