package notify

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"minside/backend/internal/pid"
)

func TestPushDeliveryIDsAndLinks(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	enqueued := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	for msg := range int64(2000) {
		id := pushDeliveryID(msg, enqueued, "01a20906-44fe-725f-ad92-e64cc4425c8b")
		u := uuid.MustParse(id)
		if sec, nsec := u.Time().UnixTime(); pid.HasDigitRun(id) || seen[id] || u.Version() != 7 || time.Unix(sec, nsec).UTC().UnixMilli() != enqueued.UnixMilli() {
			t.Fatalf("pushDeliveryID gave %s", id)
		}
		if again := pushDeliveryID(msg, enqueued, "01a20906-44fe-725f-ad92-e64cc4425c8b"); again != id {
			t.Fatalf("pushDeliveryID gave %s, then %s", id, again)
		}
		seen[id] = true
	}
	if pushDeliveryID(1, enqueued, "a") == pushDeliveryID(1, enqueued, "b") {
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
