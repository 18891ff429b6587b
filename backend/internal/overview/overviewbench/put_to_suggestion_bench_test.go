package overviewbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/app/apptest"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// putRounds bounds the measurement: one agency PUT and one person per round.
const putRounds = 60

// BenchmarkPutToSuggestion measures, on each engine, how long a suggestion takes to reach the
// person's overview after the agency's PUT is answered: the outbox hands the change to the
// engine, which evaluates the person's rules and writes the suggestion, and the overview (polled
// every 5 ms) shows it. One rule is published ("after a building permit"); each round PUTs a
// decided permit for a new person. Reported: p50, p99 and the slowest of putRounds rounds.
func BenchmarkPutToSuggestion(b *testing.B) {
	urls := map[store.Kind]string{store.SQLite: "sqlite:" + filepath.Join(b.TempDir(), "minside.db")}
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		urls[store.Postgres] = storetest.PostgresURL(b)
	}
	for _, kind := range []store.Kind{store.SQLite, store.Postgres} {
		if u, ok := urls[kind]; ok {
			b.Run(string(kind), func(b *testing.B) { benchPutToSuggestion(b, u) })
		}
	}
}

func benchPutToSuggestion(b *testing.B, databaseURL string) {
	ctx := context.Background()
	a, base := portal(b, databaseURL)
	_, key, _, err := a.Agencies.Create(ctx, "plan-og-bygg", "Plan- og bygningsetaten", "")
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	agencyPut := func(path string, body map[string]any) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPut, base+"/api/agency/v1/"+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+key.Key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
			b.Fatalf("PUT %s: %d", path, res.StatusCode)
		}
	}
	agencyPut("rules/etter-byggesak", map[string]any{"status": "published", "category": "home", "area": "building",
		"appliesTo": "case", "condition": `case.kind == "building_permit" && case.decided`, "version": 1,
		"texts":  map[string]any{"title": map[string]string{"nb": "Koble bygget til vann og avløp"}, "why": map[string]string{"nb": "Fordi byggesaken ble avgjort {case.decidedAt}."}},
		"action": map[string]any{"type": "link", "link": "https://www.example.kommune.no/vann"}})

	var took []time.Duration
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer() // new people each time, so every round waits for a first suggestion
		people := make([]struct{ pid, token string }, putRounds)
		for i := range people {
			people[i].pid = apptest.PID(b, 1975, 100+n*putRounds+i)
			people[i].token = sessionFor(b, a, people[i].pid)
		}
		took = took[:0]
		b.StartTimer()
		for i, p := range people {
			agencyPut(fmt.Sprintf("cases/permit-%d-%d", n, i), map[string]any{"pid": p.pid, "title": map[string]string{"nb": "Tilbygg"},
				"kind": "building_permit", "area": "building", "status": "decided", "version": 1})
			answered := time.Now()
			for !overviewHasSuggestion(b, client, base, p.token) {
				if time.Since(answered) > 30*time.Second {
					b.Fatalf("round %d: no suggestion in the overview after 30 s", i)
				}
				time.Sleep(5 * time.Millisecond)
			}
			took = append(took, time.Since(answered))
		}
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
}

// sessionFor makes the person the agency will write about, and a session for them.
func sessionFor(b *testing.B, a *app.App, number string) string {
	ctx := context.Background()
	n, err := a.Citizens.Parse(number)
	if err != nil {
		b.Fatal(err)
	}
	c, err := a.Citizens.Ensure(ctx, a.DB, n, "Bench Person", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := a.Sessions.Create(ctx, sessions.Start{CitizenID: c.ID, ACR: "idporten-loa-substantial"}, "")
	if err != nil {
		b.Fatal(err)
	}
	return token
}

func overviewHasSuggestion(b *testing.B, client *http.Client, base, token string) bool {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me/overview", nil)
	req.Header.Set("Cookie", "minside="+token)
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var ov struct{ Suggestions []json.RawMessage }
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&ov) != nil {
		b.Fatalf("overview: %d", res.StatusCode)
	}
	return len(ov.Suggestions) > 0
}
