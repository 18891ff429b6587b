package ingest_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/keys"
	"minside/backend/internal/represent"
	"minside/backend/internal/suggest"
)

func relationRecord(kind, representative, subject string, scopes []string) map[string]any {
	r := map[string]any{"kind": kind, "representativePid": representative, "subjectPid": subject,
		"validFrom": "2020-01-01T00:00:00Z", "version": 1}
	if scopes != nil {
		r["scopes"] = scopes
	}
	return r
}

// TestRelationsNeedTheAgencysAuthority: only an agency the operator granted the authority for a
// kind of relation may write one; any other gets 403 naming what it lacks, and nothing is stored.
func TestRelationsNeedTheAgencysAuthority(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		newcomer := api.newAgency("ny-etat")
		register := api.newAgency("folkeregister", represent.KindGuardian)
		stranger := demoPID(t, born, 431)
		child := demoPID(t, time.Now().AddDate(-13, 0, 0).UTC().Truncate(24*time.Hour), 532)
		guardian := relationRecord(represent.KindGuardian, stranger, child, nil)
		attorney := relationRecord(represent.KindPowerOfAttorney, stranger, child, []string{"health"})
		for _, tc := range []struct {
			name, key string
			record    map[string]any
			missing   string
		}{
			{"guardian from an agency without authority", newcomer, guardian, represent.KindGuardian},
			{"power of attorney from an agency without authority", newcomer, attorney, represent.KindPowerOfAttorney},
			{"power of attorney from the register, trusted only with guardians", register, attorney, represent.KindPowerOfAttorney},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := api.snapshot()
				r := api.put("/relations/rel-1", tc.key, tc.record)
				if r.Status != http.StatusForbidden || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("PUT: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
				}
				body := r.json(t)
				if body["code"] != "forbidden" || body["missingAuthority"] != tc.missing || !strings.Contains(body["detail"].(string), tc.missing) {
					t.Fatalf("the problem does not name the missing authority: %s", r.Body)
				}
				if after := api.snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused relation changed the database:\n before %v\n after  %v", before, after)
				}
			})
		}
		t.Run("in bulk: the line is refused, the others applied", func(t *testing.T) {
			body := ndjson(t,
				map[string]any{"kind": "relations", "externalId": "rel-b1", "record": guardian},
				map[string]any{"kind": "cases", "externalId": "case-b2", "record": caseRecord(child, 1, "received")},
			)
			lines := bulkLines(t, api.call(http.MethodPost, "/bulk", newcomer, "application/x-ndjson", body))
			if len(lines) != 2 || lines[0].Status != http.StatusForbidden || lines[1].Status != http.StatusCreated {
				t.Fatalf("bulk lines: %+v", lines)
			}
		})
		if n := api.count("relations", ""); n != 0 {
			t.Fatalf("%d relations stored from agencies without authority", n)
		}
		if r := api.put("/relations/rel-1", register, guardian); r.Status != http.StatusCreated {
			t.Fatalf("the register's guardian: %d %s", r.Status, r.Body)
		}
	})
}

// TestEmptyScopesAreRefused: a power of attorney must name an area (or omit scopes for every
// area); an empty list would grant nothing, so it is refused where it is written.
func TestEmptyScopesAreRefused(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("fullmakt", represent.KindPowerOfAttorney)
		rec := relationRecord(represent.KindPowerOfAttorney, demoPID(t, born, 433), demoPID(t, born.AddDate(-40, 0, 0), 434), []string{})
		before := api.snapshot()
		r := api.put("/relations/empty", key, rec)
		if r.Status != http.StatusUnprocessableEntity || !reflect.DeepEqual(r.pointers(t), []string{"/scopes field.too_few"}) {
			t.Fatalf("scopes []: %d %s", r.Status, r.Body)
		}
		if after := api.snapshot(); !reflect.DeepEqual(before, after) {
			t.Fatal("a refused relation changed the database")
		}
		delete(rec, "scopes") // absent: every area
		if r := api.put("/relations/empty", key, rec); r.Status != http.StatusCreated {
			t.Fatalf("scopes absent: %d %s", r.Status, r.Body)
		}
	})
}

// TestRevokedAuthorityEndsTheAccessItGave: relations written while an agency held the authority
// grant nothing once the operator revokes it: the stranger can no longer act as the child, open
// the child's door or read the case a power of attorney showed; nothing is deleted, and a new
// grant brings the access back.
func TestRevokedAuthorityEndsTheAccessItGave(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		api := newAgencyAPI(t, p)
		now := p.Clock.Now().UTC()
		register := api.newAgency("folkeregister", represent.KindGuardian)
		attorneys := api.newAgency("fullmakt", represent.KindPowerOfAttorney)
		library, nursing := api.newAgency("bibliotek"), api.newAgency("sykehjem")
		strangerPID := apptest.PID(t, 1980, 11)
		childPID := apptest.PIDBorn(t, time.Date(now.Year()-13, 1, 15, 0, 0, 0, 0, time.UTC), 12)
		elderPID := apptest.PID(t, 1940, 13)

		key := api.put("/keys/door", library, map[string]any{"pid": childPID,
			"facility":     map[string]any{"externalId": "lib", "name": "Biblioteket", "accessPoints": []map[string]string{{"externalId": "front", "name": "Hoveddør"}}},
			"accessPoints": []string{"front"}, "status": "active", "version": 1,
			"windows": []map[string]string{{"startsAt": now.Add(-time.Hour).Format(time.RFC3339), "endsAt": now.Add(3 * time.Hour).Format(time.RFC3339)}}})
		care := caseRecord(elderPID, 1, "in_progress")
		care["area"] = "health"
		caseReply := api.put("/cases/care", nursing, care)
		for _, r := range []reply{key, caseReply,
			api.put("/relations/g", register, relationRecord(represent.KindGuardian, strangerPID, childPID, nil)),
			api.put("/relations/p", attorneys, relationRecord(represent.KindPowerOfAttorney, strangerPID, elderPID, []string{"health"})),
		} {
			if r.Status != http.StatusCreated {
				t.Fatalf("setup: %d %s", r.Status, r.Body)
			}
		}
		keyID, caseID := key.json(t)["id"].(string), caseReply.json(t)["id"].(string)
		var door keys.AccessPoint
		if err := p.DB.NewSelect().Model(&door).Where("external_id = ?", "front").Scan(ctx); err != nil {
			t.Fatal(err)
		}

		stranger := p.LoginAs(t, strangerPID)
		people := func() map[string]string { // relation → the person's id
			var me struct {
				Represents []struct{ ID, Relation string }
			}
			stranger.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
			out := map[string]string{}
			for _, r := range me.Represents {
				out[r.Relation] = r.ID
			}
			return out
		}
		before := people()
		childID, elderID := before[represent.KindGuardian], before[represent.KindPowerOfAttorney]
		if childID == "" || elderID == "" {
			t.Fatalf("represents before the revoke: %v", before)
		}
		actAs := func(id string, want int) {
			stranger.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": id}).Status(t, want)
		}
		openDoor := func(want int) {
			stranger.Send(t, http.MethodPost, "/api/v1/keys/"+keyID+"/open", map[string]string{"accessPointId": door.ID}).Status(t, want)
		}
		actAs(childID, http.StatusOK)
		openDoor(http.StatusOK)
		actAs(elderID, http.StatusOK)
		stranger.Get(t, "/api/v1/cases/"+caseID).Status(t, http.StatusOK)

		for slug, kind := range map[string]string{"folkeregister": represent.KindGuardian, "fullmakt": represent.KindPowerOfAttorney} {
			if err := p.App.Agencies.RevokeAuthority(ctx, slug, kind); err != nil {
				t.Fatal(err)
			}
		}
		stranger.Get(t, "/api/v1/cases/"+caseID).Status(t, http.StatusNotFound) // the session was acting for the elder
		if got := people(); len(got) != 0 {
			t.Fatalf("represents after the revoke: %v", got)
		}
		actAs(childID, http.StatusNotFound)
		actAs(elderID, http.StatusNotFound)
		openDoor(http.StatusNotFound)
		if n := api.count("relations", ""); n != 2 {
			t.Fatalf("%d relations after the revoke; nothing is deleted", n)
		}

		if err := p.App.Agencies.GrantAuthority(ctx, "folkeregister", represent.KindGuardian); err != nil {
			t.Fatal(err)
		}
		actAs(childID, http.StatusOK)
		openDoor(http.StatusOK)
	})
}

// TestDedupeKeyBelongsToTheAgency: a notification's dedupe key is unique per (agency, citizen,
// key). Another agency using the same key for the same person neither collides with it nor learns
// that it was used; the agency's own retry under a new external id is still caught.
func TestDedupeKeyBelongsToTheAgency(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		a, b := api.newAgency("bibliotek"), api.newAgency("helse")
		number := demoPID(t, born, 435)
		note := func(version int64) map[string]any {
			return map[string]any{"pid": number, "category": "general", "title": map[string]string{"nb": "Hei"},
				"body": map[string]string{"nb": "Velkommen"}, "dedupeKey": "welcome", "version": version}
		}
		if r := api.put("/notifications/a-1", a, note(1)); r.Status != http.StatusCreated {
			t.Fatalf("A: %d %s", r.Status, r.Body)
		}
		if r := api.put("/notifications/b-1", b, note(1)); r.Status != http.StatusCreated {
			t.Fatalf("B's use of the same key for the same person: %d %s", r.Status, r.Body)
		}
		if r := api.put("/notifications/a-2", a, note(1)); r.Status != http.StatusUnprocessableEntity ||
			!reflect.DeepEqual(r.pointers(t), []string{"/dedupeKey field.duplicate"}) {
			t.Fatalf("A's retry under a new external id: %d %s", r.Status, r.Body)
		}
		if r := api.put("/notifications/b-1", b, note(2)); r.Status != http.StatusOK {
			t.Fatalf("B's update of its own notification with its key: %d %s", r.Status, r.Body)
		}
		if n := api.count("notifications", "dedupe_key = ?", "welcome"); n != 2 {
			t.Fatalf("%d notifications with the key, want one per agency", n)
		}
	})
}

// A relation changes both people's facts (the representative's children and relations, the
// subject's relations), so its write and its deletion ask the suggestion engine about both.
func TestARelationIsEvaluatedForBothPeople(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		register := api.newAgency("folkeregister", represent.KindGuardian)
		parent := demoPID(t, born, 433)
		child := demoPID(t, time.Now().AddDate(-9, 0, 0).UTC().Truncate(24*time.Hour), 534)
		evaluations := func() int { return api.count("outbox", "topic = ?", suggest.TopicEvaluate) }
		before := evaluations()
		if r := api.put("/relations/rel-both", register, relationRecord(represent.KindGuardian, parent, child, nil)); r.Status != http.StatusCreated {
			t.Fatalf("PUT: %d %s", r.Status, r.Body)
		}
		if n := evaluations() - before; n != 2 {
			t.Fatalf("a new relation queued %d evaluations, want 2 (both people)", n)
		}
		if r := api.del("/relations/rel-both", register); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", r.Status, r.Body)
		}
		if n := evaluations() - before; n != 4 {
			t.Fatalf("the relation's write and deletion queued %d evaluations, want 4", n)
		}
	})
}
