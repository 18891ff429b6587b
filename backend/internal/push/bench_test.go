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
// the body and answers 201: the number to hold against BenchmarkBareEncryption (target ≥ 0.8×).
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
// alternating) so a noisy shared machine slows both alike: webpush-go's bare rate and whole
// Sender.Send calls to the loopback sink. It reports both rates and e2e/bare (target ≥ 0.8).
// b.N counts sends of each kind.
func BenchmarkSendVsBare(b *testing.B) {
	srv := pushtest.NewServer(b, pushtest.Sink())
	keys, _ := push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("mailto:ops@example.no")
	sender, err := push.NewSender(keys, subject, srv.AllowList(), srv.Client(10*time.Second), push.SenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sub := srv.NewSubscriber()
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
	phase := func(op func(), n int) time.Duration {
		start := time.Now()
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
		return time.Since(start)
	}
	phase(e2e, workers) // open the connections
	var bareTime, e2eTime time.Duration
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; i++ {
		n := min(round, b.N-done)
		if i%2 == 0 {
			bareTime += phase(bare, n)
			e2eTime += phase(e2e, n)
		} else {
			e2eTime += phase(e2e, n)
			bareTime += phase(bare, n)
		}
		done += n
	}
	b.StopTimer()
	bareRate := float64(b.N) / bareTime.Seconds()
	e2eRate := float64(b.N) / e2eTime.Seconds()
	b.ReportMetric(bareRate, "bare-sends/s")
	b.ReportMetric(e2eRate, "e2e-sends/s")
	b.ReportMetric(e2eRate/bareRate, "e2e/bare")
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
