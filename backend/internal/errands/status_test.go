package errands

import (
	"testing"

	"minside/backend/internal/cases"
)

func TestMerged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []string
		want     string
	}{
		{"no cases yet", nil, cases.StatusReceived},
		{"waiting on the citizen beats everything", []string{cases.StatusDecided, cases.StatusAwaitingCitizen, cases.StatusInProgress}, cases.StatusAwaitingCitizen},
		{"in progress beats received and decided", []string{cases.StatusDecided, cases.StatusReceived, cases.StatusInProgress}, cases.StatusInProgress},
		{"received beats decided", []string{cases.StatusDecided, cases.StatusReceived}, cases.StatusReceived},
		{"decided when nothing is open", []string{cases.StatusClosed, cases.StatusDecided}, cases.StatusDecided},
		{"closed only when all are closed", []string{cases.StatusClosed, cases.StatusClosed}, cases.StatusClosed},
	} {
		if got := Merged(tc.statuses); got != tc.want {
			t.Errorf("%s: Merged(%v) = %s, want %s", tc.name, tc.statuses, got, tc.want)
		}
	}
}
