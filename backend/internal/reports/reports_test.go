package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/files"
	"minside/backend/internal/messages"
	"minside/backend/internal/reports"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
)

type fixture struct {
	svc      *reports.Service
	agencies *agency.Service
	key      string // the roads agency's API key
	service  *reports.ReportService
}

// newFixture is a roads agency with one active service (a street light with a choice question)
// and a parks agency with one of its own.
func newFixture(t testing.TB, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now
	ag := agency.NewService(db, now)
	roads, key, _, err := ag.Create(ctx, "bymiljo", "Bymiljøetaten", "")
	if err != nil {
		t.Fatal(err)
	}
	parks, _, _, err := ag.Create(ctx, "park", "Parketaten", "")
	if err != nil {
		t.Fatal(err)
	}
	disk, err := files.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := reports.New(reports.Deps{DB: db, Files: disk, Links: messages.NewLinks("secret", "https://minside.example", 0),
		BaseURL: "https://minside.example", Now: now})
	light := addService(t, db, roads.ID, "street-light", map[string]string{"nb": "Gatelys", "en": "Street light"}, []reports.Question{{
		Code: "fault", Label: map[string]string{"nb": "Feil", "en": "Fault"}, Type: reports.TypeSingleChoice, Required: true,
		Choices: []reports.Choice{{Key: "dark", Label: map[string]string{"nb": "Mørk", "en": "Dark"}}},
	}})
	addService(t, db, parks.ID, "bench", map[string]string{"nb": "Benk"}, nil)
	return fixture{svc: svc, agencies: ag, key: key.Key, service: light}
}

func addService(t testing.TB, db *store.DB, agencyID, code string, name map[string]string, qs []reports.Question) *reports.ReportService {
	t.Helper()
	now := store.UTC(time.Now())
	s := &reports.ReportService{ID: store.NewID(), AgencyID: agencyID, Code: code, Group: "lighting", Keywords: []string{}, Photo: reports.PhotoOptional,
		Place: reports.PlaceOptional, Questions: qs, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	if s.Questions == nil {
		s.Questions = []reports.Question{}
	}
	if _, err := db.NewInsert().Model(s).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := texts.Save(context.Background(), db.DB, reports.TextOwnerService, s.ID, texts.Fields{"name": name}); err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// The functions an Open311 layer builds on: services with their questions in a language, one
// service, a report from another channel with an agency's key (only to its own services), and
// public queries by ids, service, dates and open/closed, never with personal data.
func TestOpen311Functions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		list, err := f.svc.Services(ctx, "nn")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("services: %+v", list)
		}
		one, err := f.svc.ServiceByCode(ctx, "street-light", "en")
		if err != nil || one.Name != "Street light" || one.Questions[0].Label != "Fault" || one.Questions[0].Choices[0].Label != "Dark" {
			t.Fatalf("one service: %+v, %v", one, err)
		}
		if _, err := f.svc.ServiceByCode(ctx, "nope", "en"); !isCode(err, apperr.CodeNotFound) {
			t.Fatalf("unknown service: %v", err)
		}

		in := reports.NewReport{Service: "street-light", Description: "Lykta er mørk", Lat: ptr(59.9127), Lon: ptr(10.7461),
			Answers: map[string][]string{"fault": {"dark"}}, MediaURL: "https://fixmystreet.example/photo/1.jpg"}
		id, err := f.svc.CreateFromChannel(ctx, f.agencies, f.key, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateFromChannel(ctx, f.agencies, "ms_wrong", in); !isCode(err, apperr.CodeUnauthorized) {
			t.Fatalf("a wrong key: %v", err)
		}
		other := in
		other.Service = "bench"
		if _, err := f.svc.CreateFromChannel(ctx, f.agencies, f.key, other); !isCode(err, apperr.CodeForbidden) {
			t.Fatalf("another agency's service: %v", err)
		}
		second, err := f.svc.CreateFromChannel(ctx, f.agencies, f.key, reports.NewReport{Service: "street-light", Description: "Også mørk",
			Address: "Karl Johans gate 1", Answers: map[string][]string{"fault": {"dark"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.SetStatus(ctx, reports.AgencyRequest{AgencyID: f.service.AgencyID}, second,
			reports.StatusChange{Status: reports.StatusClosed, Reason: map[string]string{"nb": "Meldt to ganger"}}); err != nil {
			t.Fatal(err)
		}

		got, err := f.svc.PublicReport(ctx, id, "nb")
		if err != nil || got.Service != "street-light" || got.Agency != "Bymiljøetaten" || !got.Open || got.MediaURL != in.MediaURL || *got.Lat != 59.9127 {
			t.Fatalf("one report: %+v, %v", got, err)
		}
		b, _ := json.Marshal(got)
		var keys map[string]any
		_ = json.Unmarshal(b, &keys)
		for k := range keys {
			if !slices.Contains([]string{"id", "service", "serviceName", "agency", "status", "open", "statusReason", "duplicateOf", "description", "address",
				"lat", "lon", "mediaUrl", "createdAt", "updatedAt"}, k) {
				t.Fatalf("a public report carries %q", k)
			}
		}
		count := func(q reports.Query) int {
			t.Helper()
			out, err := f.svc.PublicReports(ctx, q, "nb")
			if err != nil {
				t.Fatal(err)
			}
			return len(out)
		}
		hourAgo, inHour := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		for name, tc := range map[string]struct {
			q    reports.Query
			want int
		}{
			"all":            {reports.Query{}, 2},
			"by ids":         {reports.Query{IDs: []string{id, "not-an-id"}}, 1},
			"by service":     {reports.Query{Services: []string{"street-light"}}, 2},
			"other service":  {reports.Query{Services: []string{"bench"}}, 0},
			"either service": {reports.Query{Services: []string{"bench", "street-light"}}, 2},
			"open":           {reports.Query{Open: ptr(true)}, 1},
			"closed":         {reports.Query{Open: ptr(false)}, 1},
			"within dates":   {reports.Query{Start: &hourAgo, End: &inHour}, 2},
			"before any":     {reports.Query{End: &hourAgo}, 0},
			"limited to one": {reports.Query{Limit: 1}, 1},
		} {
			if got := count(tc.q); got != tc.want {
				t.Errorf("%s: %d reports, want %d", name, got, tc.want)
			}
		}
	})
}

func isCode(err error, code apperr.Code) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == code
}

// BenchmarkNearby100k prints the time of one nearby-duplicate query among 100,000 open reports
// spread over Oslo (about 12 × 10 km, a dozen services), on each configured engine.
func BenchmarkNearby100k(b *testing.B) {
	eachBenchEngine(b, func(b *testing.B, db *store.DB) {
		f, codes, point := seedCity100k(b, db)
		found := 0
		b.ResetTimer()
		for b.Loop() {
			lat, lon := point()
			near, err := f.svc.Nearby(context.Background(), codes[rand.IntN(len(codes))], float64(lat)/1e6, float64(lon)/1e6)
			if err != nil {
				b.Fatal(err)
			}
			found += len(near)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/query")
		b.ReportMetric(float64(found)/float64(b.N), "found/query")
	})
}

// BenchmarkPublicRequests100k prints the time of Open311's GET requests.json without filters
// (the newest 1,000 of 100,000 reports, any service), the public list anyone may ask for.
func BenchmarkPublicRequests100k(b *testing.B) {
	eachBenchEngine(b, func(b *testing.B, db *store.DB) {
		f, _, _ := seedCity100k(b, db)
		b.ResetTimer()
		for b.Loop() {
			list, err := f.svc.PublicReports(context.Background(), reports.Query{Limit: 1000}, "nb")
			if err != nil || len(list) != 1000 {
				b.Fatal(len(list), err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/page")
	})
}

func eachBenchEngine(b *testing.B, run func(*testing.B, *store.DB)) {
	engines := map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite}
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		engines["postgres"] = storetest.Postgres
	}
	for name, open := range engines {
		b.Run(name, func(b *testing.B) { run(b, open(b)) })
	}
}

// seedCity100k writes 100,000 open reports over Oslo, a second apart, in a dozen services, and
// answers the fixture, the service codes and a source of random points in the same area.
func seedCity100k(b *testing.B, db *store.DB) (fixture, []string, func() (int64, int64)) {
	f := newFixture(b, db)
	codes := []string{"street-light"}
	for i := range 11 {
		code := fmt.Sprintf("svc-%d", i)
		addService(b, db, f.service.AgencyID, code, map[string]string{"nb": code}, nil)
		codes = append(codes, code)
	}
	var ids []string
	if err := db.NewSelect().Table("report_services").Column("id").Order("code").Scan(context.Background(), &ids); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	point := func() (int64, int64) { // Oslo: 59.86–59.97 N, 10.65–10.85 E
		return 59_860_000 + rng.Int64N(110_000), 10_650_000 + rng.Int64N(200_000)
	}
	now := store.UTC(time.Now())
	const total, batch = 100_000, 2_000
	for start := 0; start < total; start += batch {
		rows := make([]reports.Report, 0, batch)
		for i := range batch {
			lat, lon := point()
			at := now.Add(-time.Duration(start+i) * time.Second)
			rows = append(rows, reports.Report{ID: store.NewID(), ServiceID: ids[rng.IntN(len(ids))], AgencyID: f.service.AgencyID,
				Channel: reports.ChannelOpen311, Description: "Meldt", LatMicro: ptr(lat), LonMicro: ptr(lon), Answers: map[string]any{},
				Status: reports.StatusSubmitted, CreatedAt: at, UpdatedAt: at})
		}
		if _, err := db.NewInsert().Model(&rows).Exec(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	analyze := "ANALYZE"
	if db.Kind == store.Postgres {
		analyze = "ANALYZE reports"
	}
	if _, err := db.ExecContext(context.Background(), analyze); err != nil {
		b.Fatal(err)
	}
	return f, codes, point
}
