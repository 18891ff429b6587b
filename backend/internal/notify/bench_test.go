package notify

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/config"
	"minside/backend/internal/i18n"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/locales"
)

// TestMain lets BenchmarkPushHandlerVsBare start this binary as its loopback push service.
func TestMain(m *testing.M) {
	if child, code := pushtest.ServeSinkIfChild(); child {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// discardClient answers 201 after reading the body: webpush-go's bare cost, as in the push
// package's BenchmarkBareEncryption (which defines the reference; this is its one-send body).
type discardClient struct{}

func (discardClient) Do(req *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, req.Body)
	req.Body.Close()
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}}, nil
}

// benchEnv is a database, a loopback sink and the notify handlers, with n citizens of one
// device each; every device shares one key pair (encryption costs the same for any keys). The
// sink runs in this process (sink set: it counts posts) or, with a child sink, in another one, so
// this process's CPU is the portal's alone, as in production where the push service is remote.
type benchEnv struct {
	db       *store.DB
	sink     *pushtest.Server // nil with a child sink
	sub      push.Subscription
	keys     push.VAPIDKeys
	notifier *Notifier
	pusher   *Pusher
	agency   string
	people   []string
}

func newBenchEnv(b *testing.B, db *store.DB, n int, child bool) *benchEnv {
	b.Helper()
	ctx := context.Background()
	e := &benchEnv{db: db}
	var origin string
	var allow push.AllowList
	var client *http.Client
	if child {
		c := pushtest.StartChildSink(b)
		origin, allow, client, e.sub = c.Origin, c.AllowList(), c.Client(10*time.Second), c.Subscriber(b)
	} else {
		e.sink = pushtest.NewServer(b, pushtest.Sink())
		origin, allow, client, e.sub = e.sink.URL(), e.sink.AllowList(), e.sink.Client(10*time.Second), e.sink.NewSubscriber()
	}
	bundle, err := i18n.New(locales.FS, i18n.Options{})
	if err != nil {
		b.Fatal(err)
	}
	prefs, _ := NewPreferences(db, bundle.Has)
	e.keys, _ = push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("mailto:drift@kommune.example.no")
	sender, err := push.NewSender(e.keys, subject, allow, client, push.SenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	e.notifier = NewNotifier(db, prefs, bundle, nil, daytimeClock())
	if e.pusher, err = NewPusher(db, sender, PusherOptions{}); err != nil {
		b.Fatal(err)
	}
	now := store.UTC(time.Now())
	e.agency = store.NewID()
	if _, err := db.NewRaw("INSERT INTO agencies (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		e.agency, "bench", "Plan- og bygningsetaten", now, now).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	const chunk = 500
	for start := 0; start < n; start += chunk {
		var cs []citizens.Citizen
		var ds []Device
		for i := start; i < min(n, start+chunk); i++ {
			id := store.NewID()
			cs = append(cs, citizens.Citizen{ID: id, PIDHash: "bench-" + strconv.Itoa(i), PIDMasked: "x", BirthDate: adult, CreatedAt: now, UpdatedAt: now})
			ds = append(ds, Device{ID: store.NewID(), CitizenID: id, Endpoint: origin + "/push/d" + strconv.Itoa(i),
				P256dh: e.sub.P256dh, Auth: e.sub.Auth, CreatedAt: now})
			e.people = append(e.people, id)
		}
		if _, err := db.NewInsert().Model(&cs).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := db.NewInsert().Model(&ds).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// fanOut fans out one case update per person and returns the TopicPush messages.
func (e *benchEnv) fanOut(b *testing.B, people []string, workers int) []outbox.Message {
	b.Helper()
	ctx := context.Background()
	now := store.UTC(time.Now())
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(people); i = int(next.Add(1)) - 1 {
				c := &cases.Case{ID: store.NewID(), AgencyID: e.agency, ExternalID: store.NewID(), Version: 1, CitizenID: people[i],
					Status: cases.StatusInProgress, CreatedAt: now, UpdatedAt: now}
				if _, err := e.db.NewInsert().Model(c).Exec(ctx); err != nil {
					b.Error(err)
					return
				}
				ev := outbox.NotifyEvent{CitizenID: people[i], Kind: "case", ObjectID: c.ID, Reason: "status_changed"}
				if _, err := e.notifier.FanOut(ctx, int64(i+1)+now.UnixNano(), now, ev); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var msgs []outbox.Message
	if err := e.db.NewSelect().Model(&msgs).Where("topic = ? AND status = ?", outbox.TopicPush, outbox.StatusPending).Order("id").Scan(ctx); err != nil {
		b.Fatal(err)
	}
	return msgs
}

// send has the real outbox worker (only the TopicPush batch handler, batch 64, 8 sends at a time)
// claim, send and record every pending push, and reports how many it sent.
func (e *benchEnv) send(b *testing.B, workers int) int {
	w := outbox.NewWorker(e.db, nil, outbox.WorkerOptions{Batch: 64, Concurrency: workers})
	w.RegisterBatch(outbox.TopicPush, e.pusher.HandlePushBatch)
	sent := 0
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return sent
		}
		sent += n
	}
}

// BenchmarkPushHandlerVsBare is end-to-end sends through the real outbox worker and the TopicPush
// batch handler (claim a batch, load its deliveries and devices, encrypt, sign, post over TLS to a
// loopback sink, record the outcomes and the messages) held against webpush-go's bare encryption
// rate, interleaved in rounds in the same run. b.N counts sends of each kind. It runs on SQLite,
// and on PostgreSQL when MINSIDE_TEST_POSTGRES_DSN is set.
func BenchmarkPushHandlerVsBare(b *testing.B) {
	eachEngine(b, benchmarkPushHandlerVsBare)
}

func benchmarkPushHandlerVsBare(b *testing.B, db *store.DB) {
	const round, workers = 256, 8
	e := newBenchEnv(b, db, round, true)
	body, _ := push.Payload{Title: "Saken din hos Plan- og bygningsetaten er oppdatert", Category: "case",
		ID: store.NewID(), URL: "/cases/" + store.NewID()}.Encode(push.MaxPayloadBytes)
	opts := &webpush.Options{HTTPClient: discardClient{}, RecordSize: push.RecordSize, Subscriber: "drift@kommune.example.no",
		TTL: 86400, Urgency: webpush.UrgencyNormal, Topic: push.TopicFor("x"), VAPIDPublicKey: e.keys.PublicKey, VAPIDPrivateKey: e.keys.PrivateKey}
	wsub := &webpush.Subscription{Endpoint: e.sub.Endpoint, Keys: webpush.Keys{Auth: e.sub.Auth, P256dh: e.sub.P256dh}}
	var bareCPU, e2eCPU time.Duration
	bare := func(n int) time.Duration {
		start, cpu := time.Now(), storetest.SelfCPU()
		defer func() { bareCPU += storetest.SelfCPU() - cpu }()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					resp, err := webpush.SendNotificationWithContext(context.Background(), body[:len(body):len(body)], wsub, opts)
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	e.fanOut(b, e.people, 2)
	e.send(b, workers) // warm connections and caches
	var bareWall, e2eWall time.Duration
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; i++ {
		n := min(round, b.N-done)
		b.StopTimer()
		if msgs := e.fanOut(b, e.people[:n], 2); len(msgs) != n {
			b.Fatalf("%d pushes pending, want %d", len(msgs), n)
		}
		b.StartTimer()
		if i%2 == 0 {
			bareWall += bare(n)
		}
		start, cpu := time.Now(), storetest.SelfCPU()
		if sent := e.send(b, workers); sent != n {
			b.Fatalf("sent %d, want %d", sent, n)
		}
		e2eWall += time.Since(start)
		e2eCPU += storetest.SelfCPU() - cpu
		if i%2 == 1 {
			bareWall += bare(n)
		}
		done += n
	}
	b.StopTimer()
	if undelivered, err := db.NewSelect().Model((*Delivery)(nil)).Where("state <> ?", StateDelivered).Count(context.Background()); err != nil || undelivered > 0 {
		b.Fatalf("%d deliveries not delivered, %v", undelivered, err)
	}
	n := float64(b.N)
	bareRate, e2eRate := n/bareWall.Seconds(), n/e2eWall.Seconds()
	b.ReportMetric(bareRate, "bare-sends/s")
	b.ReportMetric(e2eRate, "e2e-sends/s")
	b.ReportMetric(e2eRate/bareRate, "e2e/bare")
	// CPU per send of this process: on a shared machine wall-clock rates move with the neighbours'
	// load, CPU per send does not. e2e includes the database driver (and on SQLite the database
	// itself), not the sink or the PostgreSQL server.
	b.ReportMetric(float64(bareCPU.Microseconds())/n, "bare-cpu-µs")
	b.ReportMetric(float64(e2eCPU.Microseconds())/n, "e2e-cpu-µs")
	b.ReportMetric(float64(bareCPU)/float64(e2eCPU), "cpu-e2e/bare")
}

// machineCPU is the CPU time the whole machine has spent busy (every state of /proc/stat's cpu
// line but idle and iowait, in its 1/100 s ticks): the portal, PostgreSQL and the kernel together,
// and whatever else runs. Zero where there is no /proc/stat.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var ticks int64
	for i, f := range strings.Fields(line)[1:] {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil && i != 3 && i != 4 { // idle, iowait
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// BenchmarkNotifyDevices is the time to notify MINSIDE_BENCH_DEVICES (default 10 000) people of
// one device each through the outbox worker: one case update per person enqueued as the agency
// API does, then outbox.Worker runs the TopicNotify fan-out (preferences, quiet hours, a delivery
// per device, the pushes in messages of up to 64) and every push to a loopback sink, with the
// batch handlers as the portal registers them. The worker claims MINSIDE_OUTBOX_BATCH messages
// and runs MINSIDE_OUTBOX_CONCURRENCY at a time (the operator's settings, read as the portal
// reads them); each worker's Run works on MINSIDE_BENCH_IN_FLIGHT batches at once (default 2,
// as in production). MINSIDE_BENCH_WORKERS (default 1) runs that many workers at once, as
// replicas would.
func BenchmarkNotifyDevices(b *testing.B) {
	eachEngine(b, benchmarkNotifyDevices)
}

func benchmarkNotifyDevices(b *testing.B, db *store.DB) {
	n := envInt("MINSIDE_BENCH_DEVICES", 10000)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		e := newBenchEnv(b, db, n, false)
		now := store.UTC(time.Now())
		for start := 0; start < n; start += 500 {
			err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for _, who := range e.people[start:min(n, start+500)] {
					c := &cases.Case{ID: store.NewID(), AgencyID: e.agency, ExternalID: store.NewID(), Version: 1, CitizenID: who,
						Status: cases.StatusInProgress, CreatedAt: now, UpdatedAt: now}
					if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
						return err
					}
					ev := outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: c.ID, Reason: "status_changed"}
					if _, err := outbox.Enqueue(ctx, tx, outbox.TopicNotify, ev, now, outbox.Options{}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		cfg, err := config.Load(os.Getenv) // the operator's outbox settings, as the portal reads them
		if err != nil {
			b.Fatal(err)
		}
		workers, batch, concurrency := envInt("MINSIDE_BENCH_WORKERS", 1), cfg.OutboxBatch, cfg.OutboxConcurrency
		inFlight := envInt("MINSIDE_BENCH_IN_FLIGHT", 2)
		// A city's people, devices and cases were written long before the change, and autovacuum has
		// given the planner their statistics; freshly loaded tables have none, and PostgreSQL then
		// reads a batch's cases and devices with whole-table scans.
		if db.Kind == store.Postgres {
			if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		// The janitor as every replica runs it: on PostgreSQL it vacuums the outbox when a burst
		// outruns autovacuum.
		metrics := outbox.NewMetrics(prometheus.NewRegistry())
		janitorCtx, stopJanitor := context.WithCancel(ctx)
		janitorDone := make(chan struct{})
		b.StartTimer()
		go func() {
			outbox.NewJanitor(e.db, outbox.JanitorOptions{Metrics: metrics}).Run(janitorCtx)
			close(janitorDone)
		}()
		start, cpu0, machine0 := time.Now(), storetest.SelfCPU(), machineCPU()
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range workers {
			w := outbox.NewWorker(e.db, nil, outbox.WorkerOptions{Batch: batch, Concurrency: concurrency, InFlight: inFlight})
			w.RegisterBatch(outbox.TopicNotify, e.notifier.HandleNotifyBatch)
			w.RegisterBatch(outbox.TopicPush, e.pusher.HandlePushBatch)
			wg.Go(func() { _ = w.Run(runCtx) })
		}
		var fannedAt time.Duration
		for e.sink.Posts() < n && time.Since(start) < time.Hour {
			if fannedAt == 0 && e.sink.Posts() > 0 {
				fannedAt = time.Since(start)
			}
			time.Sleep(5 * time.Millisecond)
		}
		total, cpu, machine := time.Since(start), storetest.SelfCPU()-cpu0, machineCPU()-machine0
		stop()
		wg.Wait()
		stopJanitor()
		<-janitorDone
		if e.sink.Posts() < n {
			b.Fatalf("%d posts, want %d", e.sink.Posts(), n)
		}
		b.ReportMetric(float64(n), "devices")
		b.ReportMetric(float64(workers), "workers")
		b.ReportMetric(float64(batch), "batch")
		b.ReportMetric(float64(concurrency), "concurrency")
		b.ReportMetric(float64(inFlight), "in-flight")
		b.ReportMetric(fannedAt.Seconds(), "fanout-s")
		b.ReportMetric((total - fannedAt).Seconds(), "send-s")
		b.ReportMetric(total.Seconds(), "total-s")
		b.ReportMetric(float64(n)/total.Seconds(), "devices/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/device")
		b.ReportMetric(float64(machine.Microseconds())/float64(n), "machine-cpu-µs/device")
		b.ReportMetric(metrics.Vacuums(), "vacuums")
	}
}

// envInt is the positive number in the environment variable name, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// eachEngine runs fn on a migrated SQLite file (the single-node default) and, when
// MINSIDE_TEST_POSTGRES_DSN is set, on a fresh PostgreSQL schema (what a city runs).
func eachEngine(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
	}
}

// daytimeClock runs with real time from the last noon in Oslo, so a benchmark run at night is not
// held back by the default quiet hours (22:00–07:00) and still schedules nothing in the future.
func daytimeClock() func() time.Time {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.Now
	}
	now := time.Now().In(oslo)
	noon := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, oslo)
	if noon.After(now) {
		noon = noon.AddDate(0, 0, -1)
	}
	offset := noon.Sub(now)
	return func() time.Time { return time.Now().Add(offset) }
}
