package agency_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestKeysAreHashedAndTouchedAtMostOnceAMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		svc := agency.NewService(db, func() time.Time { return now })
		a, key, _, err := svc.Create(ctx, "bibliotek", "Biblioteket", "")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(key.Key, "ms_"+key.Prefix+"_") || len(key.Key) < 3+8+1+43 {
			t.Fatalf("key format %q", key.Key)
		}
		stored := func() agency.APIKey {
			var k agency.APIKey
			if err := db.NewSelect().Model(&k).Where("agency_id = ?", a.ID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			return k
		}
		if k := stored(); k.KeyHash != agency.HashKey(key.Key) || strings.Contains(k.KeyHash, key.Key[12:]) {
			t.Fatal("the key is not stored as its hash")
		}
		steps := []struct {
			after time.Duration
			want  time.Time
		}{
			{0, now},
			{30 * time.Second, now}, // within the minute: no write
			{61 * time.Second, now.Add(61 * time.Second)}, // a minute later: touched again
		}
		for _, s := range steps {
			now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Add(s.after)
			c, err := svc.Authenticate(ctx, key.Key)
			if err != nil || c.AgencyID != a.ID || c.Slug != "bibliotek" {
				t.Fatalf("authenticate: %+v %v", c, err)
			}
			if got := stored().LastUsedAt; got == nil || !got.Equal(s.want) {
				t.Fatalf("after %s last_used_at = %v, want %v", s.after, got, s.want)
			}
		}
		for _, bad := range []string{"", "ms_", key.Key + "x", strings.ToUpper(key.Key)} {
			if _, err := svc.Authenticate(ctx, bad); !apperr.Is(err, apperr.CodeUnauthorized) {
				t.Fatalf("%q: %v", bad, err)
			}
		}
	})
}

func TestCreateValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := agency.NewService(db, nil)
		tests := []struct {
			slug, name, hook string
			pointers         []string
		}{
			{"Bad Slug", "", "ftp://x", []string{"/slug", "/name", "/webhookUrl"}},
			{"ok-slug", "Navn", "http://hooks.example.no", []string{"/webhookUrl"}},
			{"ok-slug", strings.Repeat("n", 201), "", []string{"/name"}},
		}
		for _, tc := range tests {
			_, _, _, err := svc.Create(context.Background(), tc.slug, tc.name, tc.hook)
			ae, ok := apperr.As(err)
			if !ok || len(ae.Fields) != len(tc.pointers) {
				t.Fatalf("%+v: %v", tc, err)
			}
			for i, f := range ae.Fields {
				if f.Pointer != tc.pointers[i] {
					t.Fatalf("%+v: field %d is %s", tc, i, f.Pointer)
				}
			}
		}
		// Loopback http only when private receivers are allowed (tests, local development).
		if _, _, _, err := svc.Create(context.Background(), "local", "Local", "http://127.0.0.1:9999/hook"); err == nil {
			t.Fatal("a loopback webhook was accepted without AllowPrivateWebhooks")
		}
		private := agency.NewService(db, nil, agency.AllowPrivateWebhooks(true))
		if _, _, secret, err := private.Create(context.Background(), "local", "Local", "http://127.0.0.1:9999/hook"); err != nil || !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("loopback webhook: %v", err)
		}
	})
}
