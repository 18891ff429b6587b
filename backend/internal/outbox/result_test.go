package outbox

import (
	"testing"
	"time"
)

// A message of several parts is finished only when every part is: a part to retry retries it
// after the longest delay asked, a part not started while others were retries it at once, a dead
// part makes it dead, and a message none of whose parts started was not started.
func TestCombineFinishesAMessageOnlyWhenEveryPartIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		parts []Result
		want  Result
	}{
		{"all done", []Result{Done(), Done()}, Done()},
		{"one to retry", []Result{Done(), Retry(0, "503"), Done()}, Retry(0, "503")},
		{"the longest delay", []Result{Retry(7*time.Second, "429"), Retry(time.Minute, "429 later"), Retry(0, "503")}, Retry(time.Minute, "429 later")},
		{"retry beats dead", []Result{Dead("403"), Retry(0, "503")}, Retry(0, "503")},
		{"dead", []Result{Done(), Dead("403"), Dead("400")}, Dead("403")},
		{"none started", []Result{NotStarted(), NotStarted()}, NotStarted()},
		{"some started", []Result{Done(), NotStarted()}, Retry(0, "stopped before every part of the message was started")},
		{"some started, one dead", []Result{Dead("403"), NotStarted()}, Retry(0, "stopped before every part of the message was started")},
	}
	for _, tc := range tests {
		if got := Combine(tc.parts); got != tc.want {
			t.Errorf("%s: Combine = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
