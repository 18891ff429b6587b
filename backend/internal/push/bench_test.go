package push_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store/storetest"
)

// discardClient answers 201 to every request after reading its body: no network at all, so a
// send through it costs exactly webpush-go's encryption, VAPID signing and request building.
type discardClient struct{}

func (discardClient) Do(req *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, req.Body)
	req.Body.Close()
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}}, nil
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkBareEncryption is webpush-go v1.4.0's own rate: it has no exported encryption
// function, so this is SendNotificationWithContext against a client that discards the request.
func BenchmarkBareEncryption(b *testing.B) {
	srv := pushtest.NewServer(b, pushtest.Sink())
	sub := srv.NewSubscriber()
	keys, _ := push.GenerateVAPIDKeys()
	body := payload(b)
	opts := &webpush.Options{HTTPClient: discardClient{}, RecordSize: push.RecordSize, Subscriber: "ops@example.no",
		TTL: 3600, VAPIDPublicKey: keys.PublicKey, VAPIDPrivateKey: keys.PrivateKey}
	wsub := &webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh}}
	b.ReportAllocs()
	b.SetParallelism(4) // enough senders in flight to keep both cores busy while others wait on I/O
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := webpush.SendNotificationWithContext(context.Background(), body[:len(body):len(body)], wsub, opts)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
	})
	reportRate(b)
}

// BenchmarkSendSink is a whole Sender.Send over TLS on loopback to a service that only reads
// the body and answers 201 (the sink shares this process; BenchmarkSendVsBare does not).
func BenchmarkSendSink(b *testing.B) {
	benchmarkSend(b, pushtest.NewServer(b, pushtest.Sink()))
}

// BenchmarkSendDecrypting is the same against the fake service that also verifies VAPID and
// decrypts: it shares the two cores with the sender, so it measures both sides.
func BenchmarkSendDecrypting(b *testing.B) {
	benchmarkSend(b, pushtest.NewServer(b))
}

func benchmarkSend(b *testing.B, srv *pushtest.Server) {
	keys, _ := push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("mailto:ops@example.no")
	sender, err := push.NewSender(keys, subject, srv.AllowList(), srv.Client(10*time.Second), push.SenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sub := srv.NewSubscriber()
	body := payload(b)
	msg := push.Message{Payload: body, TTL: time.Hour, Urgency: push.UrgencyNormal, Topic: push.TopicFor("case:1")}
	if res := sender.Send(context.Background(), sub, msg); res.Outcome != push.Delivered { // warm the connection
		b.Fatalf("warm-up: %+v", res)
	}
	b.ReportAllocs()
	b.SetParallelism(4) // enough senders in flight to keep both cores busy while others wait on I/O
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := sender.Send(context.Background(), sub, msg); res.Outcome != push.Delivered {
				b.Fatalf("send: %+v", res)
			}
		}
	})
	b.StopTimer()
	reportRate(b)
	if m := srv.Messages(sub); len(m) > 0 && !bytes.Equal(m[len(m)-1].Payload, body) {
		b.Fatal("the fake service decrypted something else")
	}
}

// BenchmarkSendVsBare measures both rates in the same run, interleaved in short rounds (order
// alternating) so a noisy shared machine slows both alike: webpush-go's bare rate (encryption,
// a VAPID JWT signed per send, request building, no network) and whole Sender.Send calls (our
// encryption, the cached JWT, a TLS post) to a loopback sink running in a child process. It reports
//   - bare-sends/s, e2e-sends/s and e2e/bare: wall-clock rates (the sink still shares the cores);
//   - bare-cpu-µs, e2e-cpu-µs and cpu-e2e/bare: this process's CPU per send, which excludes the
//     fake service — the sender's own cost, as in production where the push service is remote.
//
// b.N counts sends of each kind. Target: e2e/bare ≥ 0.8.
func BenchmarkSendVsBare(b *testing.B) {
	sink := pushtest.StartChildSink(b)
	keys, _ := push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("mailto:ops@example.no")
	client := sink.Client(10 * time.Second)
	sender, err := push.NewSender(keys, subject, sink.AllowList(), client, push.SenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sub := sink.Subscriber(b)
	body := payload(b)
	msg := push.Message{Payload: body, TTL: time.Hour, Urgency: push.UrgencyNormal, Topic: push.TopicFor("case:1")}
	opts := &webpush.Options{HTTPClient: discardClient{}, RecordSize: push.RecordSize, Subscriber: "ops@example.no",
		TTL: 3600, Urgency: webpush.UrgencyNormal, Topic: msg.Topic, VAPIDPublicKey: keys.PublicKey, VAPIDPrivateKey: keys.PrivateKey}
	wsub := &webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh}}
	bare := func() {
		resp, err := webpush.SendNotificationWithContext(context.Background(), body[:len(body):len(body)], wsub, opts)
		if err != nil {
			b.Error(err)
			return
		}
		resp.Body.Close()
	}
	e2e := func() {
		if res := sender.Send(context.Background(), sub, msg); res.Outcome != push.Delivered {
			b.Errorf("send: %+v", res)
		}
	}
	const round, workers = 64, 8
	type cost struct{ wall, cpu time.Duration }
	phase := func(op func(), n int, into *cost) {
		start, cpu := time.Now(), storetest.SelfCPU()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					op()
				}
			})
		}
		wg.Wait()
		into.wall += time.Since(start)
		into.cpu += storetest.SelfCPU() - cpu
	}
	var warm, bareCost, e2eCost cost
	phase(e2e, workers, &warm) // open the connections
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; i++ {
		n := min(round, b.N-done)
		if i%2 == 0 {
			phase(bare, n, &bareCost)
			phase(e2e, n, &e2eCost)
		} else {
			phase(e2e, n, &e2eCost)
			phase(bare, n, &bareCost)
		}
		done += n
	}
	b.StopTimer()
	n := float64(b.N)
	bareRate, e2eRate := n/bareCost.wall.Seconds(), n/e2eCost.wall.Seconds()
	b.ReportMetric(bareRate, "bare-sends/s")
	b.ReportMetric(e2eRate, "e2e-sends/s")
	b.ReportMetric(e2eRate/bareRate, "e2e/bare")
	b.ReportMetric(float64(bareCost.cpu.Microseconds())/n, "bare-cpu-µs")
	b.ReportMetric(float64(e2eCost.cpu.Microseconds())/n, "e2e-cpu-µs")
	b.ReportMetric(float64(bareCost.cpu)/float64(e2eCost.cpu), "cpu-e2e/bare")
}

// BenchmarkLoopbackRoundTrip is the HTTP part alone: the production client posting a 2 KB body
// over TLS to the loopback sink, 8 in flight. It is the whole gap between the two rates above;
// here both ends of it run on the sender's cores, while a real push service's half does not.
func BenchmarkLoopbackRoundTrip(b *testing.B) {
	srv := pushtest.NewServer(b, pushtest.Sink())
	client := srv.Client(10 * time.Second)
	body := bytes.Repeat([]byte("x"), push.RecordSize)
	target := srv.URL() + "/push/x"
	post := func() {
		resp, err := client.Post(target, "application/octet-stream", bytes.NewReader(body))
		if err != nil {
			b.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post()
		}
	})
	b.StopTimer()
	reportRate(b)
}
