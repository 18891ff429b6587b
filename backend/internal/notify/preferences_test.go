package notify

import (
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestQuietUntil(t *testing.T) {
	t.Parallel()
	oslo, err := time.LoadLocation(Timezone)
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, oslo) }
	night := QuietHours{Start: "22:00", End: "07:00"}
	tests := []struct {
		name  string
		q     QuietHours
		t     time.Time
		quiet bool
		until time.Time
	}{
		{"afternoon", night, at(2026, 1, 14, 15, 0), false, time.Time{}},
		{"just before start", night, at(2026, 1, 14, 21, 59), false, time.Time{}},
		{"at start", night, at(2026, 1, 14, 22, 0), true, at(2026, 1, 15, 7, 0)},
		{"after midnight", night, at(2026, 1, 15, 3, 0), true, at(2026, 1, 15, 7, 0)},
		{"at end", night, at(2026, 1, 15, 7, 0), false, time.Time{}},
		{"night into summer time", night, at(2026, 3, 28, 23, 0), true, at(2026, 3, 29, 7, 0)},
		{"same-day window", QuietHours{Start: "13:00", End: "14:30"}, at(2026, 6, 1, 13, 15), true, at(2026, 6, 1, 14, 30)},
		{"none when equal", QuietHours{Start: "07:00", End: "07:00"}, at(2026, 6, 1, 7, 0), false, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			until, quiet := tc.q.QuietUntil(tc.t, oslo)
			if quiet != tc.quiet || !until.Equal(tc.until) {
				t.Fatalf("QuietUntil(%v) = %v, %v; want %v, %v", tc.t, until, quiet, tc.until, tc.quiet)
			}
		})
	}
	// 07:00 Oslo on the first day of summer time is 05:00 UTC, not 06:00.
	if until, _ := night.QuietUntil(at(2026, 3, 28, 23, 0), oslo); until.UTC().Hour() != 5 {
		t.Fatalf("DST: %v", until.UTC())
	}
}

func TestPreferencesPutMergesAndValidates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		lang, quiet := "nn", QuietHours{Start: "23:00", End: "06:30"}
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Language: &lang, QuietHours: &quiet}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := e.prefs.Get(e.ctx, who)
		if err != nil || got.Language != "nn" || got.QuietHours != quiet || !got.Channels["keys"].Push || !got.RepresentedNotifications {
			t.Fatalf("after put: %+v, %v", got, err)
		}
		bad := []PrefsInput{
			{Language: ptr("tlh")},
			{QuietHours: &QuietHours{Start: "7:00", End: "07:00"}},
			{QuietHours: &QuietHours{Start: "22:00", End: "24:00"}},
		}
		for _, in := range bad {
			if _, err := e.prefs.Put(e.ctx, who, in, e.clock.Now()); !apperr.Is(err, apperr.CodeInvalid) {
				t.Errorf("%+v accepted: %v", in, err)
			}
		}
		if _, err := DecodePrefsInput([]byte(`{"language":"en","extra":1}`)); !apperr.Is(err, apperr.CodeBadRequest) {
			t.Errorf("unknown member accepted: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
