package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/uptrace/bun"

	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
	"minside/locales"
)

// discardClient answers 201 after reading the body: webpush-go's bare cost, as in the push
// package's BenchmarkBareEncryption (which defines the reference; this is its one-send body).
type discardClient struct{}

func (discardClient) Do(req *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, req.Body)
	req.Body.Close()
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}}, nil
}

// benchEnv is a database, a loopback sink and the notify handlers, with n citizens of one
// device each; every device shares one key pair (encryption costs the same for any keys).
type benchEnv struct {
	db       *store.DB
	sink     *pushtest.Server
	sub      push.Subscription
	keys     push.VAPIDKeys
	notifier *Notifier
	pusher   *Pusher
	agency   string
	people   []string
}

func newBenchEnv(b *testing.B, db *store.DB, n int) *benchEnv {
	b.Helper()
	ctx := context.Background()
	e := &benchEnv{db: db, sink: pushtest.NewServer(b, pushtest.Sink())}
	e.sub = e.sink.NewSubscriber()
	bundle, err := i18n.New(locales.FS, i18n.Options{})
	if err != nil {
		b.Fatal(err)
	}
	prefs, _ := NewPreferences(db, bundle.Has)
	e.keys, _ = push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("mailto:drift@kommune.example.no")
	sender, err := push.NewSender(e.keys, subject, e.sink.AllowList(), e.sink.Client(10*time.Second), push.SenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	e.notifier = NewNotifier(db, prefs, bundle, nil, nil)
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
			ds = append(ds, Device{ID: store.NewID(), CitizenID: id, Endpoint: e.sink.URL() + "/push/d" + strconv.Itoa(i),
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
				if _, err := e.notifier.FanOut(ctx, int64(i+1)+now.UnixNano(), ev); err != nil {
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

// send runs the push handler over msgs with workers goroutines.
func (e *benchEnv) send(b *testing.B, msgs []outbox.Message, workers int) {
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(msgs); i = int(next.Add(1)) - 1 {
				m := msgs[i]
				m.Attempts = 1
				if r := e.pusher.HandlePush(ctx, m); r.String() != "done" {
					b.Errorf("push: %+v", r)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkPushHandlerVsBare is end-to-end sends through the TopicPush handler (load the
// delivery and device, encrypt, sign, post over TLS to a loopback sink, record the outcome) held
// against webpush-go's bare encryption rate, interleaved in rounds in the same run. b.N counts
// sends of each kind. The database is SQLite.
func BenchmarkPushHandlerVsBare(b *testing.B) {
	db := benchDB(b)
	const round, workers = 256, 8
	e := newBenchEnv(b, db, round)
	body, _ := push.Payload{Title: "Saken din hos Plan- og bygningsetaten er oppdatert", Category: "case",
		ID: store.NewID(), URL: "/cases/" + store.NewID()}.Encode(push.MaxPayloadBytes)
	opts := &webpush.Options{HTTPClient: discardClient{}, RecordSize: push.RecordSize, Subscriber: "drift@kommune.example.no",
		TTL: 86400, Urgency: webpush.UrgencyNormal, Topic: push.TopicFor("x"), VAPIDPublicKey: e.keys.PublicKey, VAPIDPrivateKey: e.keys.PrivateKey}
	wsub := &webpush.Subscription{Endpoint: e.sub.Endpoint, Keys: webpush.Keys{Auth: e.sub.Auth, P256dh: e.sub.P256dh}}
	var bareCPU, e2eCPU time.Duration
	bare := func(n int) time.Duration {
		start, cpu := time.Now(), processCPU()
		defer func() { bareCPU += processCPU() - cpu }()
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
	e.send(b, e.fanOut(b, e.people, 2), workers) // warm connections and caches
	var bareWall, e2eWall time.Duration
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; i++ {
		n := min(round, b.N-done)
		b.StopTimer()
		msgs := e.fanOut(b, e.people[:n], 2)
		b.StartTimer()
		if i%2 == 0 {
			bareWall += bare(n)
		}
		start, cpu := time.Now(), processCPU()
		e.send(b, msgs, workers)
		e2eWall += time.Since(start)
		e2eCPU += processCPU() - cpu
		if i%2 == 1 {
			bareWall += bare(n)
		}
		done += n
	}
	b.StopTimer()
	n := float64(b.N)
	bareRate, e2eRate := n/bareWall.Seconds(), n/e2eWall.Seconds()
	b.ReportMetric(bareRate, "bare-sends/s")
	b.ReportMetric(e2eRate, "e2e-sends/s")
	b.ReportMetric(e2eRate/bareRate, "e2e/bare")
	// CPU per send of this process: on a shared machine wall-clock rates move with the neighbours'
	// load, CPU per send does not. e2e includes the in-process sink's TLS and the database.
	b.ReportMetric(float64(bareCPU.Microseconds())/n, "bare-cpu-µs")
	b.ReportMetric(float64(e2eCPU.Microseconds())/n, "e2e-cpu-µs")
	b.ReportMetric(float64(bareCPU)/float64(e2eCPU), "cpu-e2e/bare")
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNotifyDevices is the time to notify MINSIDE_BENCH_DEVICES (default 10 000) people of
// one device each through the outbox worker: one case update per person enqueued as the agency
// API does, then outbox.Worker (batch 50, 8 at a time) runs the TopicNotify fan-out (preferences,
// quiet hours, a delivery and a TopicPush message each) and every push to a loopback sink.
func BenchmarkNotifyDevices(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("MINSIDE_BENCH_DEVICES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		e := newBenchEnv(b, benchDB(b), n)
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
		w := outbox.NewWorker(e.db, map[string]outbox.Handler{
			outbox.TopicNotify: e.notifier.HandleNotify, outbox.TopicPush: e.pusher.HandlePush,
		}, outbox.WorkerOptions{Batch: 50, Concurrency: 8})
		b.StartTimer()
		start := time.Now()
		var fanned time.Duration
		for {
			got, err := w.RunOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if fanned == 0 && e.sink.Posts() > 0 {
				fanned = time.Since(start) // notify messages are older, so claimed first
			}
			if got == 0 {
				break
			}
		}
		total := time.Since(start)
		if e.sink.Posts() < n {
			b.Fatalf("%d posts, want %d", e.sink.Posts(), n)
		}
		b.ReportMetric(float64(n), "devices")
		b.ReportMetric(fanned.Seconds(), "fanout-s")
		b.ReportMetric((total - fanned).Seconds(), "send-s")
		b.ReportMetric(total.Seconds(), "total-s")
		b.ReportMetric(float64(n)/total.Seconds(), "devices/s")
	}
}

// benchDB is a migrated SQLite file, the default single-node deployment.
func benchDB(b *testing.B) *store.DB {
	b.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(fmt.Errorf("migrate: %w", err))
	}
	return db
}
