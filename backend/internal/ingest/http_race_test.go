package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/keys"
	"minside/backend/internal/represent"
)

// raceClient sends real HTTP requests to a running portal from many goroutines at once. It never
// calls t.Fatal (that must happen on the test's goroutine): every answer is collected and judged
// afterwards.
type raceClient struct {
	base string
	key  string
	http *http.Client
}

func newRaceClient(p *apptest.Portal, key string) *raceClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	return &raceClient{base: p.URL + "/api/agency/v1", key: key, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// answer is one response as the race judges it.
type answer struct {
	sent    int64 // the version the request carried (0 for DELETE)
	status  int
	version int64  // "version" of a 200/201
	current int64  // "currentVersion" of a 409
	id      string // "id" of a 200/201
	body    []byte
	err     error
}

func (c *raceClient) send(method, path, contentType string, body []byte) answer {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: b, err: err}
	if len(b) > 0 && method != http.MethodPost {
		var m struct {
			ID             string `json:"id"`
			Version        int64  `json:"version"`
			CurrentVersion int64  `json:"currentVersion"`
		}
		if jerr := json.Unmarshal(b, &m); jerr != nil && a.err == nil {
			a.err = fmt.Errorf("answer %d is not JSON: %w: %s", resp.StatusCode, jerr, b)
		}
		a.id, a.version, a.current = m.ID, m.Version, m.CurrentVersion
	}
	return a
}

func (c *raceClient) put(path string, version int64, record map[string]any) answer {
	b, err := json.Marshal(record)
	if err != nil {
		return answer{sent: version, err: err}
	}
	a := c.send(http.MethodPut, path, "application/json", b)
	a.sent = version
	return a
}

// together runs every fn at the same moment (they wait on one gate) and returns their answers in
// the order of fns.
func together(fns []func() answer) []answer {
	out := make([]answer, len(fns))
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			out[i] = fn()
		}()
	}
	close(gate)
	wg.Wait()
	return out
}

// raceKind is one kind of record in a race: record builds version v of the record with content
// that names v; holds checks that the portal object behind id is exactly version v (row, texts
// and children from one write, never a mix).
type raceKind struct {
	kind   string
	record func(ext string, v int64) map[string]any
	holds  func(t *testing.T, api *agencyAPI, id string, v int64)
}

func raceKinds(t *testing.T) []raceKind {
	person, other := demoPID(t, born, 431), demoPID(t, born.AddDate(30, 0, 0), 532)
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	at := func(v int64) time.Time { return start.Add(time.Duration(v) * time.Minute) }
	return []raceKind{
		{kind: "cases",
			record: func(ext string, v int64) map[string]any {
				return map[string]any{"pid": person, "title": map[string]string{"nb": fmt.Sprintf("Sak v%d", v)},
					"area": "building", "status": "in_progress",
					"events": []map[string]any{{"externalId": "ev-1", "occurredAt": "2026-11-20T09:00:00Z",
						"title": map[string]string{"nb": fmt.Sprintf("Hendelse v%d", v)}}},
					"documents": []map[string]any{{"externalId": "doc", "name": fmt.Sprintf("Vedtak v%d.pdf", v), "url": "https://byggesak.example.no/d/1"}},
					"version":   v}
			},
			holds: func(t *testing.T, api *agencyAPI, id string, v int64) {
				api.wantVersion(t, "cases", id, v)
				api.wantText(t, "case", id, "title", fmt.Sprintf("Sak v%d", v))
				var docs []string
				api.scan(t, "case_documents", "name", "case_id = ?", []any{id}, &docs)
				var events []string
				api.scan(t, "case_events", "id", "case_id = ?", []any{id}, &events)
				if !slices.Equal(docs, []string{fmt.Sprintf("Vedtak v%d.pdf", v)}) || len(events) != 1 {
					t.Errorf("case v%d has documents %q and %d events", v, docs, len(events))
					return
				}
				api.wantText(t, "case_event", events[0], "title", fmt.Sprintf("Hendelse v%d", v))
			}},
		{kind: "bookings",
			record: func(ext string, v int64) map[string]any {
				return map[string]any{"pid": person, "resource": map[string]string{"nb": fmt.Sprintf("Rom v%d", v)},
					"place":    map[string]string{"name": "Hovedbiblioteket", "address": "Storgata 1"},
					"startsAt": at(v).Format(time.RFC3339), "endsAt": at(v).Add(time.Hour).Format(time.RFC3339),
					"status": "confirmed", "area": "library", "version": v}
			},
			holds: func(t *testing.T, api *agencyAPI, id string, v int64) {
				api.wantVersion(t, "bookings", id, v)
				api.wantText(t, "booking", id, "resource", fmt.Sprintf("Rom v%d", v))
			}},
		{kind: "keys",
			record: func(ext string, v int64) map[string]any {
				return map[string]any{"pid": person, "facility": map[string]any{"externalId": "lib", "name": "Hovedbiblioteket",
					"accessPoints": []map[string]string{{"externalId": "front", "name": "Hoveddør"}}},
					"accessPoints": []string{"front"},
					"windows":      []map[string]string{{"startsAt": at(v).Format(time.RFC3339), "endsAt": at(v).Add(time.Hour).Format(time.RFC3339)}},
					"status":       "active", "version": v}
			},
			holds: func(t *testing.T, api *agencyAPI, id string, v int64) {
				api.wantVersion(t, "keys", id, v)
				var windows []keys.Window
				if err := api.db().NewSelect().Model(&windows).Where("key_id = ?", id).Scan(context.Background()); err != nil {
					t.Fatal(err)
				}
				if len(windows) != 1 || !windows[0].StartsAt.Equal(at(v)) {
					t.Errorf("key v%d has windows %+v", v, windows)
				}
			}},
		{kind: "notifications",
			record: func(ext string, v int64) map[string]any {
				return map[string]any{"pid": person, "category": "general", "title": map[string]string{"nb": fmt.Sprintf("Hei v%d", v)},
					"body": map[string]string{"nb": fmt.Sprintf("Melding v%d", v)}, "dedupeKey": ext, "version": v}
			},
			holds: func(t *testing.T, api *agencyAPI, id string, v int64) {
				api.wantText(t, "notification", id, "title", fmt.Sprintf("Hei v%d", v))
				api.wantText(t, "notification", id, "body", fmt.Sprintf("Melding v%d", v))
			}},
		{kind: "relations",
			record: func(ext string, v int64) map[string]any {
				return map[string]any{"kind": "power_of_attorney", "representativePid": person, "representativeName": "Kari",
					"subjectPid": other, "subjectName": "Ola", "scopes": []string{"health"},
					"validFrom": at(v).Add(-1000 * time.Hour).Format(time.RFC3339), "version": v}
			},
			holds: func(t *testing.T, api *agencyAPI, id string, v int64) {
				var r represent.Relation
				if err := api.db().NewSelect().Model(&r).Where("id = ?", id).Scan(context.Background()); err != nil {
					t.Fatal(err)
				}
				if r.Version != v || !r.ValidFrom.Equal(at(v).Add(-1000*time.Hour)) {
					t.Errorf("relation is v%d from %s, want v%d", r.Version, r.ValidFrom, v)
				}
			}},
		{kind: "tiles",
			record: func(ext string, v int64) map[string]any {
				return map[string]any{"title": map[string]string{"nb": fmt.Sprintf("Flis v%d", v)},
					"description": map[string]string{"nb": fmt.Sprintf("Om v%d", v)},
					"link":        "https://kommune.example.no/barnehage", "icon": "child", "status": "published", "version": v}
			},
			holds: func(t *testing.T, api *agencyAPI, id string, v int64) {
				api.wantVersion(t, "tiles", id, v)
				api.wantText(t, "tile", id, "title", fmt.Sprintf("Flis v%d", v))
				api.wantText(t, "tile", id, "description", fmt.Sprintf("Om v%d", v))
			}},
	}
}

func (api *agencyAPI) scan(t *testing.T, table, column, where string, args []any, dest any) {
	t.Helper()
	if err := api.db().NewSelect().TableExpr(table).Column(column).Where(where, args...).Scan(context.Background(), dest); err != nil {
		t.Fatalf("%s.%s: %v", table, column, err)
	}
}

func (api *agencyAPI) wantVersion(t *testing.T, table, id string, v int64) {
	t.Helper()
	var got []int64
	api.scan(t, table, "version", "id = ?", []any{id}, &got)
	if !slices.Equal(got, []int64{v}) {
		t.Errorf("%s %s holds versions %v, want [%d]", table, id, got, v)
	}
}

func (api *agencyAPI) wantText(t *testing.T, ownerKind, ownerID, field, want string) {
	t.Helper()
	var got []string
	api.scan(t, "texts", "value", "owner_kind = ? AND owner_id = ? AND field = ? AND lang = 'nb'", []any{ownerKind, ownerID, field}, &got)
	if !slices.Equal(got, []string{want}) {
		t.Errorf("%s %s %s is %q, want %q", ownerKind, ownerID, field, got, want)
	}
}

// judgeRace checks the answers to concurrent writes of one record against the rules of the
// compare-and-swap and returns the versions that were stored: no 5xx and no transport error;
// every 200/201 answers the version it was sent; every 409 names a version newer than the one it
// refused that some request stored (initial counts as stored before the race); creates counts the
// 201s.
func judgeRace(t *testing.T, answers []answer, initial int64) (stored map[int64]bool, creates int) {
	t.Helper()
	stored = map[int64]bool{}
	if initial > 0 {
		stored[initial] = true
	}
	for _, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("v%d: %v", a.sent, a.err)
		case a.status == http.StatusCreated || a.status == http.StatusOK:
			if a.version != a.sent {
				t.Errorf("v%d answered %d with version %d", a.sent, a.status, a.version)
			}
			stored[a.version] = true
			if a.status == http.StatusCreated {
				creates++
			}
		case a.status == http.StatusConflict:
		default:
			t.Errorf("v%d answered %d: %s", a.sent, a.status, a.body)
		}
	}
	for _, a := range answers {
		if a.status == http.StatusConflict && (a.current <= a.sent || !stored[a.current]) {
			t.Errorf("v%d answered 409 with currentVersion %d; stored were %v", a.sent, a.current, slices.Sorted(mapKeys(stored)))
		}
	}
	return stored, creates
}

// logFailures shows what the portal logged at level ERROR when the test failed (why a 500 happened).
func logFailures(t *testing.T, p *apptest.Portal) {
	if !t.Failed() {
		return
	}
	for line := range strings.Lines(p.Logs()) {
		if strings.Contains(line, "level=ERROR") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func mapKeys(m map[int64]bool) func(func(int64) bool) {
	return func(yield func(int64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// wantFinal checks that the record is stored at version v and that its portal object is that version.
func wantFinal(t *testing.T, api *agencyAPI, c *raceClient, k raceKind, path string, v int64) {
	t.Helper()
	got := c.send(http.MethodGet, path, "", nil)
	if got.err != nil || got.status != http.StatusOK || got.version != v {
		t.Errorf("GET %s after the race: %d version %d (%v), want version %d", path, got.status, got.version, got.err, v)
		return
	}
	k.holds(t, api, got.id, v)
}

// TestAgencyPutRaceKeepsTheHighestVersion sends many PUTs of one record at the same moment, for
// every kind: an update race (versions 2…n+1 over a stored 1), a create race of one version (the
// same request n times) and a create race of n versions. The highest version must win, every
// older one gets 409 naming a version that was really stored, exactly one create is a 201, and
// nothing answers 5xx.
func TestAgencyPutRaceKeepsTheHighestVersion(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		c := newRaceClient(p, api.newAgency("byggesak", represent.KindPowerOfAttorney))
		defer logFailures(t, p)
		for _, k := range raceKinds(t) {
			t.Run(k.kind, func(t *testing.T) {
				writers, rounds := 20, 1
				if k.kind == "cases" {
					writers, rounds = 50, 3 // the shape of the reported loss
				}
				for round := range rounds {
					ext := fmt.Sprintf("update-%d", round)
					path := "/" + k.kind + "/" + ext
					if a := c.put(path, 1, k.record(ext, 1)); a.status != http.StatusCreated {
						t.Fatalf("create: %d %s", a.status, a.body)
					}
					var puts []func() answer
					for v := int64(2); v <= int64(writers)+1; v++ {
						puts = append(puts, func() answer { return c.put(path, v, k.record(ext, v)) })
					}
					began := time.Now()
					answers := together(puts)
					t.Logf("%d parallel PUTs of one %s: %v", writers, k.kind, time.Since(began).Round(time.Millisecond))
					judgeRace(t, answers, 1)
					wantFinal(t, api, c, k, path, int64(writers)+1)

					ext = fmt.Sprintf("same-%d", round)
					path = "/" + k.kind + "/" + ext
					puts = puts[:0]
					for range writers {
						puts = append(puts, func() answer { return c.put(path, 1, k.record(ext, 1)) })
					}
					answers = together(puts)
					if _, creates := judgeRace(t, answers, 0); creates != 1 {
						t.Errorf("%d creates of one version answered 201 %d times", writers, creates)
					}
					for _, a := range answers[1:] {
						if a.status < 300 && a.id != answers[0].id {
							t.Errorf("one record answered under two portal ids: %s and %s", answers[0].id, a.id)
						}
					}
					wantFinal(t, api, c, k, path, 1)

					ext = fmt.Sprintf("new-%d", round)
					path = "/" + k.kind + "/" + ext
					puts = puts[:0]
					for v := int64(1); v <= int64(writers); v++ {
						puts = append(puts, func() answer { return c.put(path, v, k.record(ext, v)) })
					}
					answers = together(puts)
					if _, creates := judgeRace(t, answers, 0); creates != 1 {
						t.Errorf("%d creates of %d versions answered 201 %d times", writers, writers, creates)
					}
					wantFinal(t, api, c, k, path, int64(writers))
				}
			})
		}
	})
}

// TestAgencyDeleteRacingPutsNeverFails races DELETEs of a record against PUTs of it: every
// request gets its ordinary answer, and what is left is consistent: either the record and its
// portal object at the stored version, or neither.
func TestAgencyDeleteRacingPutsNeverFails(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		c := newRaceClient(p, api.newAgency("byggesak", represent.KindPowerOfAttorney))
		defer logFailures(t, p)
		for _, k := range raceKinds(t) {
			t.Run(k.kind, func(t *testing.T) {
				for round := range 2 {
					ext := fmt.Sprintf("doomed-%d", round)
					path := "/" + k.kind + "/" + ext
					if a := c.put(path, 1, k.record(ext, 1)); a.status != http.StatusCreated {
						t.Fatalf("create: %d %s", a.status, a.body)
					}
					var calls []func() answer
					for v := int64(2); v <= 13; v++ {
						calls = append(calls, func() answer { return c.put(path, v, k.record(ext, v)) })
						if v%3 == 0 {
							calls = append(calls, func() answer { return c.send(http.MethodDelete, path, "", nil) })
						}
					}
					for _, a := range together(calls) {
						ok := a.status == http.StatusOK || a.status == http.StatusCreated || a.status == http.StatusConflict
						if a.sent == 0 {
							ok = a.status == http.StatusNoContent || a.status == http.StatusNotFound
						}
						if a.err != nil || !ok {
							t.Errorf("v%d answered %d (%v): %s", a.sent, a.status, a.err, a.body)
						}
					}
					got := c.send(http.MethodGet, path, "", nil)
					switch got.status {
					case http.StatusOK:
						k.holds(t, api, got.id, got.version)
					case http.StatusNotFound:
						if n := api.count("agency_records", "kind = ? AND external_id = ?", k.kind, ext); n != 0 {
							t.Errorf("GET says 404 but %d records remain", n)
						}
					default:
						t.Errorf("GET after the race: %d %s", got.status, got.body)
					}
					want := 0
					if got.status == http.StatusOK {
						want = 1
					}
					if n := api.count(k.kind, "external_id = ?", ext); n != want {
						t.Errorf("%d portal %s remain for %s, want %d", n, k.kind, ext, want)
					}
				}
			})
		}
	})
}

// TestAgencyTwoPutsKeepTheNewer is the smallest race, many times over: versions 2 and 3 of a
// case sent at once must always leave version 3 stored.
func TestAgencyTwoPutsKeepTheNewer(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		c := newRaceClient(p, api.newAgency("byggesak", represent.KindPowerOfAttorney))
		defer logFailures(t, p)
		cases := raceKinds(t)[0]
		for round := range 15 {
			ext := fmt.Sprintf("pair-%d", round)
			path := "/cases/" + ext
			if a := c.put(path, 1, cases.record(ext, 1)); a.status != http.StatusCreated {
				t.Fatalf("create: %d %s", a.status, a.body)
			}
			answers := together([]func() answer{
				func() answer { return c.put(path, 2, cases.record(ext, 2)) },
				func() answer { return c.put(path, 3, cases.record(ext, 3)) },
			})
			judgeRace(t, answers, 1)
			wantFinal(t, api, c, cases, path, 3)
		}
	})
}
