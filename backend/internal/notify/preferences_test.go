package notify

import (
	"strings"
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
	night := QuietHours{Enabled: true, Start: "22:00", End: "07:00"}
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
		{"same-day window", QuietHours{Enabled: true, Start: "13:00", End: "14:30"}, at(2026, 6, 1, 13, 15), true, at(2026, 6, 1, 14, 30)},
		{"none when off", QuietHours{Start: "22:00", End: "07:00"}, at(2026, 1, 15, 3, 0), false, time.Time{}},
		{"none when equal", QuietHours{Enabled: true, Start: "07:00", End: "07:00"}, at(2026, 6, 1, 7, 0), false, time.Time{}},
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
		lang := "nn"
		quiet := &QuietHoursInput{Start: ptr("23:00"), End: ptr("06:30")}
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Language: &lang, QuietHours: quiet}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := e.prefs.Get(e.ctx, who)
		want := QuietHours{Enabled: true, Start: "23:00", End: "06:30"}
		if err != nil || got.Language != "nn" || got.QuietHours != want || !got.Channels["keys"].Push || !got.RepresentedNotifications {
			t.Fatalf("after put: %+v, %v", got, err)
		}
		bad := []PrefsInput{
			{Language: ptr("tlh")},
			{QuietHours: &QuietHoursInput{Start: ptr("7:00"), End: ptr("07:00")}},
			{QuietHours: &QuietHoursInput{Start: ptr("22:00"), End: ptr("24:00")}},
		}
		for _, in := range bad {
			if _, err := e.prefs.Put(e.ctx, who, in, e.clock.Now()); !apperr.Is(err, apperr.CodeInvalid) {
				t.Errorf("%+v accepted: %v", in, err)
			}
		}
		if _, err := DecodePrefsInput([]byte(`{"language":"en","extra":1}`)); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("unknown member accepted: %v", err)
		}
	})
}

// Switching quiet hours off keeps their times, so switching them on again brings the same window back.
func TestQuietHoursOffKeepsTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		put := func(body string) Prefs {
			t.Helper()
			in, err := DecodePrefsInput([]byte(body))
			if err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			got, err := e.prefs.Put(e.ctx, who, in, e.clock.Now())
			if err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			return got
		}
		put(`{"quietHours":{"start":"23:15","end":"06:00"}}`)
		if got := put(`{"quietHours":null}`).QuietHours; got != (QuietHours{Start: "23:15", End: "06:00"}) {
			t.Fatalf("null: %+v", got)
		}
		if got, _ := e.prefs.Get(e.ctx, who); got.QuietHours.Enabled {
			t.Fatalf("saved as on: %+v", got.QuietHours)
		}
		if got := put(`{"quietHours":{"enabled":true}}`).QuietHours; got != (QuietHours{Enabled: true, Start: "23:15", End: "06:00"}) {
			t.Fatalf("on again: %+v", got)
		}
		if got := put(`{"quietHours":{"enabled":false}}`).QuietHours; got.Enabled {
			t.Fatalf("enabled false: %+v", got)
		}
	})
}

// Every bad member of a body, nested ones included, is named by its pointer in one 422.
func TestDecodePrefsInputNamesNestedMembers(t *testing.T) {
	t.Parallel()
	_, err := DecodePrefsInput([]byte(`{"quietHours":{"start":"22:00","from":"x","enabled":"yes"},"channels":{"cases":{"push":true,"sms":true},"keys":3},"representedNotifications":"no"}`))
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.CodeInvalid {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, f := range ae.Fields {
		got = append(got, f.Pointer+" "+f.Key)
	}
	want := "/channels/cases/sms field.unknown,/channels/keys field.invalid,/quietHours/enabled field.invalid,/quietHours/from field.unknown,/representedNotifications field.invalid"
	if strings.Join(got, ",") != want {
		t.Fatalf("fields = %v", got)
	}
	if _, err := DecodePrefsInput([]byte(`{"quietHours":`)); !apperr.Is(err, apperr.CodeBadRequest) {
		t.Fatalf("broken JSON: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// Turning suggestions off or on makes the person due at the next sweep: no change event tells
// the suggestion engine, and what it decides depends on it.
func TestSuggestionPreferencesMakeThePersonDue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		due := func() int {
			t.Helper()
			n, err := db.NewSelect().Table("suggest_due").Where("citizen_id = ?", who).Count(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		row := map[string]any{"citizen_id": who, "due_day": 30000, "decided_at": e.clock.Now()}
		if _, err := db.NewInsert().Table("suggest_due").Model(&row).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		lang := "nn"
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Language: &lang}, e.clock.Now()); err != nil || due() != 1 {
			t.Fatalf("another preference changed: %v, due rows %d; want the due day kept", err, due())
		}
		off := true
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Suggestions: &SuggestionPrefsInput{Off: &off}}, e.clock.Now()); err != nil || due() != 0 {
			t.Fatalf("suggestions turned off: %v, due rows %d; want the person due", err, due())
		}
	})
}
