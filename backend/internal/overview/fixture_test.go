package overview_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/overview"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// world writes a citizen's read model the way an agency push does: rows, texts and a change row in
// one transaction.
type world struct {
	t   *testing.T
	db  *store.DB
	ctx context.Context
	now time.Time
	n   int
	cur *bun.Tx // set inside batch: every write joins one transaction (fast fixtures on PostgreSQL)
}

// batch runs fn with every write in one transaction.
func (w *world) batch(fn func()) {
	w.t.Helper()
	tx, err := w.db.BeginTx(w.ctx, &sql.TxOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	w.cur = &tx
	defer func() { w.cur = nil }()
	fn()
	if err := tx.Commit(); err != nil {
		w.t.Fatal(err)
	}
}

func newWorld(t *testing.T, db *store.DB) *world {
	return &world{t: t, db: db, ctx: context.Background(), now: store.UTC(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))}
}

// service reads at the world's clock, with a generous timeout: tests share a busy machine.
func (w *world) service() *overview.Service {
	return overview.New(w.db, func() time.Time { return w.now }).WithReadTimeout(10 * time.Second)
}

func (w *world) next() string { w.n++; return fmt.Sprintf("x-%d", w.n) }

func (w *world) tx(fn func(tx bun.Tx) error) {
	w.t.Helper()
	if w.cur != nil {
		if err := fn(*w.cur); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	if err := w.db.RunInTx(w.ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error { return fn(tx) }); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) insert(tx bun.IDB, models ...any) error {
	for _, m := range models {
		if _, err := tx.NewInsert().Model(m).Exec(w.ctx); err != nil {
			return fmt.Errorf("insert %T: %w", m, err)
		}
	}
	return nil
}

func (w *world) agency(slug, name string) string {
	a := &agency.Agency{ID: store.NewID(), Slug: slug, Name: name, CreatedAt: w.now, UpdatedAt: w.now}
	w.tx(func(tx bun.Tx) error { return w.insert(tx, a) })
	return a.ID
}

func (w *world) citizen(name string, birth time.Time, district string) string {
	c := &citizens.Citizen{ID: store.NewID(), PIDHash: store.NewID(), PIDMasked: "010190*****", BirthDate: birth, Name: name,
		District: district, CreatedAt: w.now, UpdatedAt: w.now}
	w.tx(func(tx bun.Tx) error { return w.insert(tx, c) })
	return c.ID
}

func (w *world) relation(agencyID, kind, rep, subject string, scopes []string) {
	r := &represent.Relation{ID: store.NewID(), AgencyID: agencyID, ExternalID: w.next(), Version: 1, Kind: kind,
		RepresentativeID: rep, SubjectID: subject, Scopes: scopes, ValidFrom: w.now.Add(-time.Hour), CreatedAt: w.now, UpdatedAt: w.now}
	w.tx(func(tx bun.Tx) error {
		if err := agency.Grant(w.ctx, tx, agencyID, kind, w.now); err != nil { // the feeding agency is trusted with it
			return err
		}
		return w.insert(tx, r)
	})
}

func (w *world) record(tx bun.IDB, citizenID *string, kind, id, op string) error {
	return changes.Record(w.ctx, tx, citizenID, kind, id, op, w.now)
}

type caseSpec struct {
	agency, citizen, area, kind, status string
	title                               texts.Values
	nextAction                          texts.Values
	due                                 *time.Time
	updated                             time.Time
}

func (w *world) addCase(s caseSpec) string {
	if s.updated.IsZero() {
		s.updated = w.now
	}
	if s.title == nil {
		s.title = texts.Values{"nb": "Sak " + w.next()}
	}
	c := &cases.Case{ID: store.NewID(), AgencyID: s.agency, ExternalID: w.next(), Version: 1, CitizenID: s.citizen, Kind: s.kind,
		Area: s.area, Status: s.status, NextActionDue: s.due, DeepLink: "https://etat.example.no/sak", CreatedAt: s.updated, UpdatedAt: s.updated}
	w.tx(func(tx bun.Tx) error {
		f := texts.Fields{"title": s.title}
		if s.nextAction != nil {
			f["next_action"] = s.nextAction
		}
		if err := w.insert(tx, c); err != nil {
			return err
		}
		if err := texts.Save(w.ctx, tx, "case", c.ID, f); err != nil {
			return err
		}
		return w.record(tx, &c.CitizenID, "case", c.ID, changes.OpUpsert)
	})
	return c.ID
}

func (w *world) setCaseStatus(id, citizenID, status string) {
	w.tx(func(tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*cases.Case)(nil)).Set("status = ?", status).Set("updated_at = ?", w.now).
			Where("id = ?", id).Exec(w.ctx); err != nil {
			return err
		}
		return w.record(tx, &citizenID, "case", id, changes.OpUpsert)
	})
}

func (w *world) deleteCase(id, citizenID string) {
	w.tx(func(tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*cases.Case)(nil)).Where("id = ?", id).Exec(w.ctx); err != nil {
			return err
		}
		return w.record(tx, &citizenID, "case", id, changes.OpDelete)
	})
}

func (w *world) addBooking(agencyID, citizenID, area, resource string, starts time.Time, status string) string {
	b := &bookings.Booking{ID: store.NewID(), AgencyID: agencyID, ExternalID: w.next(), Version: 1, CitizenID: citizenID, Area: area,
		PlaceName: "Deichman Bjørvika", PlaceAddress: "Anne-Cath. Vestlys plass 1", StartsAt: starts, EndsAt: starts.Add(2 * time.Hour),
		Status: status, CreatedAt: w.now, UpdatedAt: w.now}
	w.tx(func(tx bun.Tx) error {
		if err := w.insert(tx, b); err != nil {
			return err
		}
		if err := texts.Save(w.ctx, tx, "booking", b.ID, texts.Fields{"resource": {"nb": resource}}); err != nil {
			return err
		}
		return w.record(tx, &b.CitizenID, "booking", b.ID, changes.OpUpsert)
	})
	return b.ID
}

func (w *world) addKey(agencyID, citizenID, facility string, windows ...keys.Window) string {
	f := &keys.Facility{ID: store.NewID(), AgencyID: agencyID, ExternalID: w.next(), Name: facility, Address: "Gata 1", CreatedAt: w.now, UpdatedAt: w.now}
	ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: f.ID, ExternalID: w.next(), Name: "Hoveddør", CreatedAt: w.now}
	k := &keys.Key{ID: store.NewID(), AgencyID: agencyID, ExternalID: w.next(), Version: 1, CitizenID: citizenID, FacilityID: f.ID,
		Status: keys.StatusActive, ValidFrom: windows[0].StartsAt, ValidUntil: windows[len(windows)-1].EndsAt, CreatedAt: w.now, UpdatedAt: w.now}
	w.tx(func(tx bun.Tx) error {
		if err := w.insert(tx, f, ap, k, &keys.KeyAccessPoint{KeyID: k.ID, AccessPointID: ap.ID}); err != nil {
			return err
		}
		for _, win := range windows {
			win.ID, win.KeyID = store.NewID(), k.ID
			if err := w.insert(tx, &win); err != nil {
				return err
			}
		}
		return w.record(tx, &k.CitizenID, "key", k.ID, changes.OpUpsert)
	})
	return k.ID
}

func (w *world) addNotification(agencyID, citizenID, title string, read bool) string {
	n := &notify.Notification{ID: store.NewID(), AgencyID: &agencyID, CitizenID: citizenID, Category: "cases", Urgency: "normal",
		CreatedAt: w.now}
	if read {
		n.ReadAt = &w.now
	}
	w.tx(func(tx bun.Tx) error {
		if err := w.insert(tx, n); err != nil {
			return err
		}
		if err := texts.Save(w.ctx, tx, "notification", n.ID, texts.Fields{"title": {"nb": title}, "body": {"nb": "Les mer"}}); err != nil {
			return err
		}
		return w.record(tx, &n.CitizenID, "notification", n.ID, changes.OpUpsert)
	})
	return n.ID
}

func (w *world) addTile(agencyID, title string, targeting tiles.Targeting, status string) string {
	t := &tiles.Tile{ID: store.NewID(), AgencyID: agencyID, ExternalID: w.next(), Version: 1, Link: "https://etat.example.no/tjeneste",
		Icon: "book", Category: "culture", Targeting: targeting, Status: status, CreatedAt: w.now, UpdatedAt: w.now}
	w.tx(func(tx bun.Tx) error {
		if err := w.insert(tx, t); err != nil {
			return err
		}
		if err := texts.Save(w.ctx, tx, "tile", t.ID, texts.Fields{"title": {"nb": title}, "description": {"nb": "Om " + title}}); err != nil {
			return err
		}
		return w.record(tx, nil, "tile", t.ID, changes.OpUpsert)
	})
	return t.ID
}

func ptr[T any](v T) *T { return &v }

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
