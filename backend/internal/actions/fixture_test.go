package actions_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// world is one agency with a parent, their child (a minor), a stranger, bookings, a key and notifications.
type world struct {
	db                      *store.DB
	agency                  string
	parent, child, stranger string
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, agency: store.NewID()}
	url := "https://agency.example/hooks"
	insert(t, db, &agency.Agency{ID: w.agency, Slug: "bib-" + w.agency[len(w.agency)-6:], Name: "Biblioteket", WebhookURL: &url, CreatedAt: t0, UpdatedAt: t0})
	w.parent = w.citizen(t, "Kari", time.Date(1985, 3, 1, 0, 0, 0, 0, time.UTC))
	w.child = w.citizen(t, "Ola", time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC))
	w.stranger = w.citizen(t, "Per", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))
	insert(t, db, &agency.Authority{AgencyID: w.agency, Kind: represent.KindGuardian, GrantedAt: t0})
	insert(t, db, &represent.Relation{ID: store.NewID(), AgencyID: w.agency, ExternalID: "rel-" + w.child, Version: 1,
		Kind: represent.KindGuardian, RepresentativeID: w.parent, SubjectID: w.child, ValidFrom: t0.AddDate(-1, 0, 0), CreatedAt: t0, UpdatedAt: t0})
	return w
}

func (w *world) citizen(t *testing.T, name string, born time.Time) string {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := store.NewID()
	insert(t, w.db, &citizens.Citizen{ID: id, PIDHash: hex.EncodeToString(b), PIDMasked: born.Format("020106") + "*****", BirthDate: born, Name: name, CreatedAt: t0, UpdatedAt: t0})
	return id
}

// booking creates a confirmed booking of owner in area, starting in two days, cancellable until
// one day before.
func (w *world) booking(t *testing.T, owner, area string) *bookings.Booking {
	t.Helper()
	until := t0.Add(24 * time.Hour)
	b := &bookings.Booking{ID: store.NewID(), AgencyID: w.agency, ExternalID: "b-" + store.NewID(), Version: 1, CitizenID: owner,
		Area: area, PlaceName: "Møterom 1", StartsAt: t0.Add(48 * time.Hour), EndsAt: t0.Add(50 * time.Hour),
		Status: bookings.StatusConfirmed, CancellableUntil: &until, CreatedAt: t0, UpdatedAt: t0}
	insert(t, w.db, b)
	return b
}

// key creates an active key of owner, open in one window [t0, t0+2h), with two doors; bookingID may be nil.
func (w *world) key(t *testing.T, owner string, bookingID *string) (*keys.Key, []string) {
	t.Helper()
	f := &keys.Facility{ID: store.NewID(), AgencyID: w.agency, ExternalID: "f-" + store.NewID(), Name: "Bydelshuset", CreatedAt: t0, UpdatedAt: t0}
	insert(t, w.db, f)
	k := &keys.Key{ID: store.NewID(), AgencyID: w.agency, ExternalID: "k-" + store.NewID(), Version: 1, CitizenID: owner,
		FacilityID: f.ID, BookingID: bookingID, Status: keys.StatusActive, ValidFrom: t0.Add(-time.Hour), ValidUntil: t0.Add(72 * time.Hour), CreatedAt: t0, UpdatedAt: t0}
	insert(t, w.db, k)
	insert(t, w.db, &keys.Window{ID: store.NewID(), KeyID: k.ID, StartsAt: t0, EndsAt: t0.Add(2 * time.Hour)})
	var doors []string
	for _, name := range []string{"Hovedinngang", "Bakdør"} {
		ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: f.ID, ExternalID: "ap-" + store.NewID(), Name: name, CreatedAt: t0}
		insert(t, w.db, ap)
		doors = append(doors, ap.ID)
	}
	insert(t, w.db, &keys.KeyAccessPoint{KeyID: k.ID, AccessPointID: doors[0]})
	return k, doors
}

func (w *world) notification(t *testing.T, owner string) string {
	t.Helper()
	n := &notify.Notification{ID: store.NewID(), CitizenID: owner, Category: "general", Urgency: "normal", CreatedAt: t0}
	insert(t, w.db, n)
	return n.ID
}

func insert(t *testing.T, db bun.IDB, model any) {
	t.Helper()
	if _, err := db.NewInsert().Model(model).Exec(context.Background()); err != nil {
		t.Fatalf("insert %T: %v", model, err)
	}
}

func count(t *testing.T, db bun.IDB, table, where string, args ...any) int {
	t.Helper()
	n, err := db.NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

// webhooks is the delivery side's webhook.Enqueue: an outbox row in the action's transaction
// (the agency of the fixtures has a webhook URL).
var webhooks actions.EnqueueWebhook = webhook.Enqueue

func own(id string) actions.For { return actions.For{SubjectID: id} }

func actingFor(actor, subject string, areas []string) actions.For {
	return actions.For{SubjectID: subject, ActorID: actor, Areas: areas}
}
