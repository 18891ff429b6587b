package overviewbench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"minside/backend/internal/app"
	"minside/backend/internal/store"
)

// BenchmarkOverviewReplicas measures the combined overview rate of three portal replicas on one
// PostgreSQL database beside one replica, in the same run, and the process's resident memory
// (VmRSS, VmHWM) under that load. The replicas run in this process (each a whole app with its own
// connection pool, as three processes would have), so the memory printed is that of all of them
// with the load generator: an upper bound per replica. The database is BenchmarkOverview's PostgreSQL
// one (benchDatabase): MINSIDE_BENCH_DATABASE_URL_POSTGRES, e.g. filled by `minside seed --citizens`,
// or the cached synthetic city.
func BenchmarkOverviewReplicas(b *testing.B) {
	databaseURL, n, ok := benchDatabase(b, store.Postgres)
	if !ok {
		return // replicas share a PostgreSQL database; one SQLite file is one replica
	}
	var portals []*app.App
	var bases []string
	for range 3 {
		a, base := portal(b, databaseURL)
		portals, bases = append(portals, a), append(bases, base)
	}
	tokens := logIn(b, portals[0], 1000)
	client := newLoadClient()
	get := func(base string, i int) error { _, err := client.overview(base, tokens[i]); return err }
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
