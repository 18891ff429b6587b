package overviewbench

import (
	"fmt"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// loadClient is the benchmarks' load generator: it asks for overviews as a browser would. It runs
// in the benchmark's process, on the cores the portal and PostgreSQL share, so it is the lightest
// client at hand (fasthttp's, already in the build for Fiber): in CPU profiles at 700,000 citizens
// Go's net/http client took about 100 µs per request and this one about 50, and whatever the
// client takes is taken from the two sides being compared.
type loadClient struct{ c *fasthttp.Client }

func newLoadClient() *loadClient {
	return &loadClient{c: &fasthttp.Client{MaxConnsPerHost: 256, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}}
}

// overview asks for the full overview (no If-None-Match) in nb with a session cookie, reads the
// whole answer and returns the database round trips the portal reports.
func (l *loadClient) overview(base, token string) (int, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(base + "/api/v1/me/overview")
	req.Header.SetCookie("minside", token)
	req.Header.Set("Accept-Language", "nb")
	if err := l.c.Do(req, res); err != nil {
		return 0, err
	}
	if res.StatusCode() != fasthttp.StatusOK {
		return 0, fmt.Errorf("status %d", res.StatusCode())
	}
	trips, _ := strconv.Atoi(string(res.Header.Peek("X-DB-Round-Trips")))
	return trips, nil
}
