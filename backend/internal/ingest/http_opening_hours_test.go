package ingest_test

import (
	"net/http"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

// A facility's opening hours, sent with a key, are shown with the key in the reader's language;
// a key sent without them keeps them (many keys share a facility); {} removes them.
func TestKeysShowTheFacilitysOpeningHours(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		key := api.newAgency("bibliotek")
		number := demoPID(t, born, 414)
		start := time.Now().Add(-time.Hour).UTC()
		keyRecord := func(version int64, hours any) map[string]any {
			facility := map[string]any{"externalId": "lib", "name": "Hovedbiblioteket",
				"accessPoints": []map[string]string{{"externalId": "front", "name": "Hoveddør"}}}
			if hours != nil {
				facility["openingHours"] = hours
			}
			return map[string]any{"pid": number, "facility": facility, "status": "active", "version": version,
				"windows": []map[string]string{{"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(48 * time.Hour).Format(time.RFC3339)}}}
		}
		hoursOf := func(lang string) string {
			t.Helper()
			var page struct {
				Items []struct {
					Facility struct{ OpeningHours string }
				}
			}
			c := p.LoginAs(t, number)
			c.Header.Set("Accept-Language", lang)
			c.Get(t, "/api/v1/keys").Status(t, http.StatusOK).JSON(t, &page)
			if len(page.Items) != 1 {
				t.Fatalf("keys: %+v", page.Items)
			}
			return page.Items[0].Facility.OpeningHours
		}

		hours := map[string]string{"nb": "Meråpent alle dager 07–22", "en": "Self-service every day 07–22"}
		if r := api.put("/keys/nokkel-1", key, keyRecord(1, hours)); r.Status != http.StatusCreated {
			t.Fatalf("PUT: %d %s", r.Status, r.Body)
		}
		if got := hoursOf("nb"); got != hours["nb"] {
			t.Errorf("opening hours in nb = %q", got)
		}
		if got := hoursOf("en"); got != hours["en"] {
			t.Errorf("opening hours in en = %q", got)
		}
		api.put("/keys/nokkel-1", key, keyRecord(2, nil)).json(t)
		if got := hoursOf("nb"); got != hours["nb"] {
			t.Errorf("a key sent without opening hours dropped the facility's: %q", got)
		}
		api.put("/keys/nokkel-1", key, keyRecord(3, map[string]string{})).json(t)
		if got := hoursOf("nb"); got != "" {
			t.Errorf("{} kept the opening hours: %q", got)
		}
		r := api.put("/keys/nokkel-1", key, keyRecord(4, map[string]string{"nb": "kl. 07\x00–22"}))
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a control character in the opening hours: %d", r.Status)
		}
	})
}
