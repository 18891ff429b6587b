package notify

import (
	"testing"

	"minside/backend/internal/pid"
)

func TestPushableIDsAndLinks(t *testing.T) {
	t.Parallel()
	for range 2000 {
		if id := pushableID(); pid.HasDigitRun(id) {
			t.Fatalf("pushableID gave %s", id)
		}
	}
	tests := []struct{ link, want string }{
		{"/cases/01a20906-44fe-725f-ad92-e64cc4425c8b", "/cases/01a20906-44fe-725f-ad92-e64cc4425c8b"},
		{"/cases/01a20906-44fe-725f-ad92-012345678901", "/cases"},
		{"/people", "/people"},
	}
	for _, tc := range tests {
		if got := pushableLink(tc.link); got != tc.want {
			t.Errorf("pushableLink(%q) = %q, want %q", tc.link, got, tc.want)
		}
	}
}
