package overviewbench

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestRawSendsWhatTheEndpointReads checks the benchmark's floor against the endpoint on a small city:
// for one person, the bare statements (one on PostgreSQL) read every case, booking, key, notification
// and tile the overview answers, and nothing of anyone else; on PostgreSQL two people's statement
// is the same text (the arguments travel apart, so the server plans it as a prepared statement).
func TestRawSendsWhatTheEndpointReads(t *testing.T) {
	for kind, databaseURL := range storetest.URLs(t) {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			fill(t, databaseURL, 12)
			a, base := portal(t, databaseURL)
			tokens := logIn(t, a, 2)

			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me/overview", nil)
			req.Header.Set("Cookie", "minside="+tokens[0])
			req.Header.Set("Accept-Language", "nb")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var o struct {
				Person        struct{ ID string }
				Recent        []struct{ ID string }
				Upcoming      []struct{ ID string }
				Keys          []struct{ ID string }
				Notifications struct{ Items []struct{ ID string } }
				Tiles         []struct{ ID, Title string }
			}
			if err := json.NewDecoder(res.Body).Decode(&o); err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("overview: %d %v", res.StatusCode, err)
			}

			r, err := newRaw(ctx, a, a.DB, tokens)
			if err != nil {
				t.Fatal(err)
			}
			if kind == store.Postgres {
				if len(r.statements[0]) != 1 || len(r.statements[1]) != 1 {
					t.Fatalf("%d and %d statements on PostgreSQL, want 1 (the endpoint's one Reads)", len(r.statements[0]), len(r.statements[1]))
				}
				if r.statements[0][0].SQL != r.statements[1][0].SQL {
					t.Errorf("two people's overviews are different texts on PostgreSQL:\n%s\n%s", r.statements[0][0].SQL, r.statements[1][0].SQL)
				}
			}
			var read strings.Builder
			rows, err := r.read(ctx, 0, func(cols []sql.RawBytes) {
				for _, c := range cols {
					read.Write(c)
					read.WriteByte('|')
				}
			})
			if err != nil || rows == 0 {
				t.Fatalf("raw read %d rows: %v", rows, err)
			}
			got := read.String()

			want := map[string][]string{}
			for _, c := range o.Recent {
				want["case"] = append(want["case"], c.ID)
			}
			for _, b := range o.Upcoming {
				want["booking"] = append(want["booking"], b.ID)
			}
			for _, k := range o.Keys {
				want["key"] = append(want["key"], k.ID)
			}
			for _, n := range o.Notifications.Items {
				want["notification"] = append(want["notification"], n.ID)
			}
			for _, tile := range o.Tiles {
				want["tile"] = append(want["tile"], tile.ID, tile.Title)
			}
			for what, ids := range want {
				for _, id := range ids {
					if !strings.Contains(got, id) {
						t.Errorf("the overview shows %s %s; the bare statements did not read it", what, id)
					}
				}
			}
			if len(want["case"]) == 0 || len(want["booking"]) == 0 || len(want["key"]) == 0 || len(want["tile"]) == 0 {
				t.Fatalf("the overview shows too little to compare: %v", want)
			}
			var others []string
			if err := a.DB.NewRaw(`SELECT id FROM cases WHERE citizen_id <> ? UNION ALL SELECT id FROM notifications WHERE citizen_id <> ?`,
				o.Person.ID, o.Person.ID).Scan(ctx, &others); err != nil {
				t.Fatal(err)
			}
			for _, id := range others {
				if strings.Contains(got, id) {
					t.Errorf("the bare statements read %s, someone else's", id)
				}
			}
		})
	}
}
