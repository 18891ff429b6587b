package faults_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

// TestBulkBodiesAreNotHeldInMemory: eight concurrent 15 MB bulk bodies, first without an API key,
// then with one (of long lines, then of short ones whose answers are longer than the body), leave
// the whole process (the portal and this test) under 150 MB resident.
// Before, the bodies were read into memory before the key was checked: 52 MB → 387 MB.
// Deliberately not parallel: the process's memory must be this test's alone.
func TestBulkBodiesAreNotHeldInMemory(t *testing.T) {
	const (
		bodies   = 8
		bodySize = 15 << 20
		ceiling  = 150 << 20
		// what one request of short lines may add: its decoding, not its answer
		shortGrowth = 20 << 20
	)
	p := apptest.Start(t)
	_, key, _, err := p.App.Agencies.Create(context.Background(), "byggesak", "Byggesak", "")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	before := residentBytes(t)
	peak := watchPeak()

	send := func(auth string, lineSize, n int) []int {
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, p.URL+"/api/agency/v1/bulk", io.LimitReader(newBulkLines(lineSize), bodySize))
				if err != nil {
					t.Error(err)
					return
				}
				req.ContentLength = bodySize
				req.Header.Set("Content-Type", "application/x-ndjson")
				if auth != "" {
					req.Header.Set("Authorization", "Bearer "+auth)
				}
				client := &http.Client{Timeout: 3 * time.Minute} // a loaded machine is slow; the test is bounded still
				res, err := client.Do(req)
				if err != nil {
					statuses[i] = -1 // the server may close while an unauthenticated body is still sent
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				statuses[i] = res.StatusCode
			})
		}
		wg.Wait()
		return statuses
	}
	anonymous := send("", 64<<10, bodies)
	for _, st := range anonymous {
		if st != http.StatusUnauthorized && st != -1 {
			t.Errorf("without a key: %v", anonymous)
			break
		}
	}
	authed := send(key.Key, 64<<10, bodies)
	for _, st := range authed {
		if st != http.StatusOK {
			t.Errorf("with a key: %v", authed)
			break
		}
	}
	max := peak()
	t.Logf("resident: %d MB before, peak %d MB with %d × %d MB bodies (answers without a key %v, with %v)",
		before>>20, max>>20, bodies, bodySize>>20, anonymous, authed)
	if max > ceiling {
		t.Fatalf("resident memory peaked at %d MB, want under %d MB", max>>20, ceiling>>20)
	}

	// Short bad lines get answers longer than themselves: 15 MB of 120-byte lines is a 22 MB
	// answer, which goes to the client from a temporary file, not from memory.
	runtime.GC()
	before = residentBytes(t)
	peak = watchPeak()
	short := send(key.Key, 100, 1)
	grew := peak() - before
	t.Logf("one 15 MB body of short lines: %v, resident grew by %d MB", short, grew>>20)
	if short[0] != http.StatusOK || grew > shortGrowth {
		t.Fatalf("short lines: %v, resident memory grew by %d MB, want under %d MB", short, grew>>20, shortGrowth>>20)
	}
}

// newBulkLines is an endless NDJSON body of lines of about padSize bytes that the validator
// refuses (an unknown kind), so the portal's work per line is reading, decoding and answering it.
func newBulkLines(padSize int) io.Reader {
	pad := strings.Repeat("x", padSize)
	n := 0
	return readerFunc(func(p []byte) (int, error) {
		var b bytes.Buffer
		for b.Len() < len(p) {
			n++
			fmt.Fprintf(&b, `{"kind":"parcels","externalId":"p-%d","record":{"pad":%q}}`+"\n", n, pad)
		}
		return copy(p, b.Bytes()), nil
	})
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// residentBytes is the process's resident set (VmRSS, Linux).
func residentBytes(t *testing.T) int64 {
	t.Helper()
	n, err := readResident()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func readResident() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// watchPeak samples the resident set every few milliseconds until the returned function is
// called, which returns the highest sample.
func watchPeak() func() int64 {
	var mu sync.Mutex
	var peak int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			rss, _ := readResident()
			mu.Lock()
			peak = max(peak, rss)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
