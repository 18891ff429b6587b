package notify

import (
	"strings"
	"testing"

	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// A chunk of events costs one statement per kind of row, whatever its size: the cases, the
// representatives, the agencies, preferences, devices, the push messages and the deliveries, with
// the transaction's BEGIN and COMMIT. It used to be about six statements per event plus two per
// device. A second run of the same messages writes nothing, and every device gets exactly one
// push, whose delivery is the one the push names.
func TestFanOutOfABatchCostsAFewStatementsAndIsExactlyOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		names := []string{"Plan- og bygningsetaten", "Skatteetaten"}
		agencies := []string{e.agency(names[0]), e.agency(names[1])}
		const people = 24
		var who []string
		var msgs []outbox.Message
		devicesOf := map[string]int{}
		quiet := ""
		for i := range people {
			id := e.citizen(adult)
			devicesOf[id] = 1 + i%3 // one to three devices
			for range devicesOf[id] {
				e.device(id)
			}
			switch i {
			case 5:
				e.setLanguage(id, "en")
			case 7: // no pushes about cases: nothing for this one
				off := map[string]citizens.Channel{"cases": {Push: false, InApp: true}}
				if _, err := e.prefs.Put(e.ctx, id, PrefsInput{Channels: off}, e.clock.Now()); err != nil {
					t.Fatal(err)
				}
				devicesOf[id] = 0
				quiet = id
			}
			ev := outbox.NotifyEvent{CitizenID: id, Kind: "case", ObjectID: e.caseFor(id, agencies[i%2], cases.StatusInProgress), Reason: "status_changed"}
			m, err := outbox.NewMessage(outbox.TopicNotify, ev, e.clock.Now(), outbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			m.ID = int64(1000 + i)
			msgs = append(msgs, m)
			who = append(who, id)
		}
		statements := db.CountRoundTrips()
		for run := range 2 {
			for i, res := range e.notifier.HandleNotifyBatch(e.ctx, msgs, 1) {
				if res.String() != "done" {
					t.Fatalf("run %d: message %d answered %s", run, i, res)
				}
			}
			want := int64(9) // the second run adds no message, so it inserts no delivery
			if run == 1 {
				want--
			}
			if got := statements.Take(); got != want {
				t.Errorf("run %d: %d statements to fan out %d events in one chunk, want %d", run, got, people, want)
			}
		}
		jobs := map[string]PushJob{}
		for _, job := range e.pushJobs() {
			if _, twice := jobs[job.DeliveryID]; twice {
				t.Fatalf("delivery %s has two pushes", job.DeliveryID)
			}
			jobs[job.DeliveryID] = job
		}
		total := 0
		for i, id := range who {
			var pushes []Delivery
			seen := map[string]bool{}
			for _, d := range e.deliveries(id) {
				if d.Channel != "push" {
					continue
				}
				pushes = append(pushes, d)
				job, ok := jobs[d.ID]
				if !ok || job.DeviceID != *d.SubscriptionID || job.Payload.ID != d.ID || seen[job.DeviceID] {
					t.Fatalf("citizen %d: delivery %+v has push job %+v (found %v)", i, d, job, ok)
				}
				seen[job.DeviceID] = true
				if !strings.Contains(d.Title, names[i%2]) {
					t.Errorf("citizen %d: title %q does not name %s", i, d.Title, names[i%2])
				}
			}
			if len(pushes) != devicesOf[id] {
				t.Errorf("citizen %d: %d push deliveries for %d devices", i, len(pushes), devicesOf[id])
			}
			total += len(pushes)
		}
		if len(jobs) != total {
			t.Errorf("%d pushes for %d push deliveries", len(jobs), total)
		}
		if n := len(e.pushMessages()); n != 1 {
			t.Errorf("the chunk's %d pushes, all due now, are in %d messages, want one", total, n)
		}
		if ds := e.deliveries(quiet); len(ds) != 0 {
			t.Errorf("a citizen with case pushes off got %+v", ds)
		}
		if en, nb := e.deliveries(who[5]), e.deliveries(who[1]); len(en) == 0 || len(nb) == 0 || en[0].Title == nb[0].Title {
			t.Errorf("the English speaker's title is the Norwegian one's: %+v, %+v", en, nb)
		}
	})
}
