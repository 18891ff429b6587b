package notify

import (
	"testing"

	"github.com/google/uuid"

	"minside/backend/internal/pid"
)

func TestPushDeliveryIDsAndLinks(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for msg := range int64(2000) {
		id := pushDeliveryID(msg, "01a20906-44fe-725f-ad92-e64cc4425c8b")
		if pid.HasDigitRun(id) || seen[id] || uuid.MustParse(id).Version() != 8 {
			t.Fatalf("pushDeliveryID gave %s", id)
		}
		if again := pushDeliveryID(msg, "01a20906-44fe-725f-ad92-e64cc4425c8b"); again != id {
			t.Fatalf("pushDeliveryID gave %s, then %s", id, again)
		}
		seen[id] = true
	}
	if pushDeliveryID(1, "a") == pushDeliveryID(1, "b") {
		t.Fatal("two devices of one message share a delivery id")
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
