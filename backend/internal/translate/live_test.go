package translate_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/translate"
)

// eventNames reads the names of the events of an open GET /api/v1/events in the background.
func eventNames(t *testing.T, c *apptest.Client) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req := c.NewRequest(t, http.MethodGet, "/api/v1/events", nil).WithContext(ctx)
	res, err := (&http.Client{Jar: c.HTTP.Jar}).Do(req) // no client timeout: the stream stays open
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("events: %d", res.StatusCode)
	}
	names := make(chan string, 16)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				names <- name
			}
		}
	}()
	return names
}

// TestPublishTellsOpenSessionsOnEveryReplica: a citizen's open page on another replica is told
// (a "messages" event on its live stream) once that replica serves the published text, so it can
// fetch its messages again without a reload, and is never told before the text is there.
func TestPublishTellsOpenSessionsOnEveryReplica(t *testing.T) {
	for kind, url := range storetest.URLs(t) {
		t.Run(string(kind), func(t *testing.T) {
			first := apptest.Start(t, apptest.WithDatabaseURL(url))
			second := apptest.Start(t, apptest.WithDatabaseURL(url))
			pidT, pidC := apptest.PID(t, 1979, 5), apptest.PID(t, 1988, 6)
			grant(t, first, first.Citizen(t, pidT, "Oksana Translator"), translate.RoleTranslator, "uk")
			second.Citizen(t, pidC, "Iryna Reader")
			reader := second.LoginAs(t, pidC)
			names := eventNames(t, reader)
			<-second.App.Live.Ready()

			const text = "Огляд (наживо)"
			start := time.Now()
			first.LoginAs(t, pidT).Send(t, http.MethodPut, "/api/v1/translate/uk/messages/ui.nav.overview",
				map[string]any{"forms": map[string]string{"other": text}}).Status(t, http.StatusOK)
			deadline := time.After(3 * translate.ReloadInterval)
			for got := ""; got != "messages"; {
				select {
				case got = <-names:
				case <-deadline:
					t.Fatalf("no messages event within %s", 3*translate.ReloadInterval)
				}
			}
			t.Logf("told after %s", time.Since(start))
			if got, _ := uiText(t, reader, "uk", "ui.nav.overview"); got != text {
				t.Errorf("told before the text is served: %q", got)
			}
		})
	}
}
