package overviewbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"minside/backend/internal/app"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store/storetest"
)

// BenchmarkOverviewReplicas measures the combined overview rate of three portal replicas on one
// PostgreSQL database beside one replica, in the same run, and the process's resident memory
// (VmRSS, VmHWM) under that load. The replicas run in this process (each a whole app with its own
// connection pool, as three processes would have), so the memory printed is that of all of them
// with the load generator: an upper bound per replica. The city is the cached benchmark city, or
// MINSIDE_BENCH_DATABASE_URL: any migrated database, e.g. one filled by `minside seed --citizens`.
func BenchmarkOverviewReplicas(b *testing.B) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" && os.Getenv("MINSIDE_BENCH_DATABASE_URL") == "" {
		return // replicas share a PostgreSQL database; one SQLite file is one replica
	}
	n := citizensWanted()
	databaseURL := os.Getenv("MINSIDE_BENCH_DATABASE_URL")
	if databaseURL == "" {
		databaseURL = cachedPostgres(b, n)
	} else {
		n = 0 // not known; printed as 0
	}
	var portals []*app.App
	var bases []string
	for range 3 {
		a, base := portal(b, databaseURL)
		portals, bases = append(portals, a), append(bases, base)
	}
	tokens := anySessions(b, portals[0], 1000)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, DisableCompression: true}}
	get := func(base string, i int) error {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me/overview", nil)
		req.Header.Set("Cookie", "minside="+tokens[i])
		req.Header.Set("Accept-Language", "nb")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	if err := get(bases[0], 0); err != nil {
		b.Fatal(err)
	}
	dur, workers := benchDuration(), 8
	b.ResetTimer()
	one := closedLoop(b, workers, dur, len(tokens), func(i int) error { return get(bases[0], i) })
	rssOne, _ := memory(b)
	three := closedLoop(b, 3*workers, dur, len(tokens), func(i int) error { return get(bases[i%3], i) })
	rssThree, peak := memory(b)
	b.StopTimer()
	b.ReportMetric(one, "one-replica-req/s")
	b.ReportMetric(three, "three-replicas-req/s")
	b.ReportMetric(three/one, "three/one")
	fmt.Printf("| %d | %.0f | %.0f | %.2f | %d | %d | %d |\n", n, one, three, three/one, rssOne>>20, rssThree>>20, peak>>20)
}

// anySessions logs in k citizens of whatever database it is (a sessions row each, as a login makes).
func anySessions(b *testing.B, a *app.App, k int) []string {
	var ids []string
	if err := a.DB.NewRaw(`SELECT id FROM citizens ORDER BY id LIMIT ?`, k).Scan(context.Background(), &ids); err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		token, _, err := a.Sessions.Create(context.Background(), sessions.Start{CitizenID: id, ACR: "idporten-loa-substantial"}, "")
		if err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	return tokens
}

// memory reads this process's resident set now and at its peak (bytes).
func memory(b *testing.B) (rss, peak int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Logf("no /proc: %v", err)
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak
}
