package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/keys"
	"minside/backend/internal/outbox"
	"minside/backend/internal/represent"
	"minside/backend/internal/tasks"
)

// TTLs per kind: a reminder is worthless after the booking starts, a case update keeps a day.
const (
	TTLReminder = 2 * time.Hour
	TTLKey      = 6 * time.Hour
	TTLUpdate   = 24 * time.Hour
)

// about is what a notify event is about, resolved from the database when the handler runs so the
// outbox never holds more than ids.
type about struct {
	category    string        // preference category: cases, bookings, keys, messages, general, suggestions
	payloadKind string        // push.Payload.Category: case, booking, key, notice, relation, suggestion
	titleKey    string        // message id of the lock-screen title
	agencyID    string        // whose name the title carries (filled in by the fan-out, one query per batch)
	agency      string        // the agency's name, the only specific word on a lock screen
	link        string        // deep link path in the PWA
	ttl         time.Duration // how long the push service may hold it
	urgent      bool          // a deadline: breaks quiet hours, Urgency high
	area        string        // the scope a power of attorney must cover to forward it
	forward     bool          // representatives who asked may get it too
	notifID     *string       // the notifications row, for the in-app channel
	id          string        // the object's opaque public id
}

// errNothingToSay means the object is gone or no longer warrants a message (a cancelled booking).
var errNothingToSay = errors.New("notify: nothing to say")

// objects are the rows a batch of events is about, each kind loaded in one query, by id.
type objects struct {
	cases         map[string]*cases.Case
	notifications map[string]*Notification
	bookings      map[string]*bookings.Booking
	keys          map[string]*keys.Key
	relations     map[string]*represent.Relation
	suggestions   map[string]*suggestionRow
	tasks         map[string]*tasks.Task
	messages      map[string]*messageRow
	reports       map[string]*reportRow
}

// messageRow is what a push about an agency's answer needs of the message (package messages owns
// the table; the push only says that an answer has come and links to its case).
type messageRow struct {
	bun.BaseModel `bun:"table:messages,alias:m"`

	ID          string `bun:"id,pk"`
	SubjectKind string `bun:"subject_kind"` // case or errand: where the push links to
	SubjectID   string `bun:"subject_id"`
	AgencyID    string `bun:"agency_id"`
	CitizenID   string `bun:"citizen_id"`
	Direction   string `bun:"direction"`
	Area        string `bun:"area,scanonly"`
}

// loadObjects reads the objects of events: one query per kind that occurs.
func loadObjects(ctx context.Context, db bun.IDB, events []outbox.NotifyEvent) (objects, error) {
	ids := map[string][]string{}
	for _, ev := range events {
		ids[ev.Kind] = append(ids[ev.Kind], ev.ObjectID)
	}
	var o objects
	var err error
	if o.cases, err = loadByID(ctx, db, ids["case"], func(c *cases.Case) string { return c.ID }); err != nil {
		return o, fmt.Errorf("notify: load cases: %w", err)
	}
	if o.notifications, err = loadByID(ctx, db, ids["notification"], func(n *Notification) string { return n.ID }); err != nil {
		return o, fmt.Errorf("notify: load notifications: %w", err)
	}
	if o.bookings, err = loadByID(ctx, db, ids["booking"], func(b *bookings.Booking) string { return b.ID }); err != nil {
		return o, fmt.Errorf("notify: load bookings: %w", err)
	}
	if o.keys, err = loadByID(ctx, db, ids["key"], func(k *keys.Key) string { return k.ID }); err != nil {
		return o, fmt.Errorf("notify: load keys: %w", err)
	}
	if o.relations, err = loadByID(ctx, db, ids["relation"], func(r *represent.Relation) string { return r.ID }); err != nil {
		return o, fmt.Errorf("notify: load relations: %w", err)
	}
	if o.tasks, err = loadByID(ctx, db, ids["task"], func(t *tasks.Task) string { return t.ID }); err != nil {
		return o, fmt.Errorf("notify: load tasks: %w", err)
	}
	if o.suggestions, err = loadSuggestions(ctx, db, ids["suggestion"]); err != nil {
		return o, fmt.Errorf("notify: load suggestions: %w", err)
	}
	if o.messages, err = loadMessages(ctx, db, ids["message"]); err != nil {
		return o, fmt.Errorf("notify: load messages: %w", err)
	}
	if o.reports, err = loadReports(ctx, db, ids["report"]); err != nil {
		return o, fmt.Errorf("notify: load reports: %w", err)
	}
	return o, nil
}

// loadByID reads the rows of T with the given ids in one query.
func loadByID[T any](ctx context.Context, db bun.IDB, ids []string, idOf func(*T) string) (map[string]*T, error) {
	out := map[string]*T{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []T
	if err := db.NewSelect().Model(&rows).Where("?TableAlias.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range rows {
		out[idOf(&rows[i])] = &rows[i]
	}
	return out, nil
}

// describe says what the event is about from its loaded object; the agency is named by id only
// (see agencyNames). It answers errNothingToSay when the object is gone, is not the citizen's, or
// no longer warrants a message.
func describe(ev outbox.NotifyEvent, o objects, now time.Time) (about, error) {
	var a about
	switch ev.Kind {
	case "case":
		c := o.cases[ev.ObjectID]
		if c == nil || c.CitizenID != ev.CitizenID {
			return about{}, errNothingToSay
		}
		a = about{category: "cases", payloadKind: "case", titleKey: "push.case.status_changed", agencyID: c.AgencyID,
			link: "/cases/" + c.ID, ttl: TTLUpdate, urgent: ev.Urgent, area: c.Area, forward: true}
		if ev.Reason == "awaiting_citizen" || c.Status == cases.StatusAwaitingCitizen {
			a.titleKey = "push.case.awaiting_citizen"
		}
	case "message": // an agency's answer on a case or an errand; the push never carries its text
		m := o.messages[ev.ObjectID]
		if m == nil || m.CitizenID != ev.CitizenID || m.Direction != "agency" {
			return about{}, errNothingToSay
		}
		a = about{category: "messages", payloadKind: "case", titleKey: "push.message.new", agencyID: m.AgencyID,
			link: "/cases/" + m.SubjectID, ttl: TTLUpdate, area: m.Area, forward: true}
		if m.SubjectKind == "errand" {
			a.payloadKind, a.link = "errand", "/errands/"+m.SubjectID
		}
	case "notification":
		n := o.notifications[ev.ObjectID]
		if n == nil || n.CitizenID != ev.CitizenID {
			return about{}, errNothingToSay
		}
		category := n.Category
		if !isCategory(category) {
			category = "general"
		}
		a = about{category: category, payloadKind: "notice", titleKey: "push.notification.new",
			link: "/notifications/" + n.ID, ttl: TTLUpdate, urgent: ev.Urgent || n.Urgency == "high",
			forward: true, notifID: &n.ID}
		if n.AgencyID != nil {
			a.agencyID = *n.AgencyID
		}
	case "booking":
		b := o.bookings[ev.ObjectID]
		if b == nil || b.CitizenID != ev.CitizenID || b.Status != bookings.StatusConfirmed || !b.StartsAt.After(now) {
			return about{}, errNothingToSay
		}
		a = about{category: "bookings", payloadKind: "booking", titleKey: "push.booking.reminder_24h", agencyID: b.AgencyID,
			link: "/bookings/" + b.ID, ttl: TTLReminder, urgent: ev.Urgent, area: b.Area, forward: true}
		if ev.Reason == "reminder_2h" {
			a.titleKey = "push.booking.reminder_2h"
		}
		a.ttl = min(a.ttl, b.StartsAt.Sub(now).Truncate(time.Second))
	case "key":
		k := o.keys[ev.ObjectID]
		if k == nil || k.CitizenID != ev.CitizenID || k.Status != keys.StatusActive || !k.ValidUntil.After(now) {
			return about{}, errNothingToSay
		}
		a = about{category: "keys", payloadKind: "key", titleKey: "push.key.valid_soon", agencyID: k.AgencyID,
			link: "/keys/" + k.ID, ttl: TTLKey, urgent: ev.Urgent, forward: true}
		if ev.Reason == "expires_soon" {
			a.titleKey = "push.key.expires_soon"
		}
	case "relation":
		// An ended relation may already be deleted: the message needs only its existence.
		r := o.relations[ev.ObjectID]
		if r == nil && ev.Reason != "ended" {
			return about{}, errNothingToSay
		}
		a = about{category: "general", payloadKind: "relation", titleKey: "push.relation.new",
			link: "/people", ttl: TTLUpdate, urgent: ev.Urgent}
		if ev.Reason == "ended" {
			a.titleKey = "push.relation.ended"
		}
		if r != nil {
			a.agencyID = r.AgencyID
		}
	case "task":
		// The lock screen names only the agency: a task's title, sensitive or not, never travels.
		tk := o.tasks[ev.ObjectID]
		if tk == nil || tk.CitizenID != ev.CitizenID || !tk.Open(now) || (ev.Reason == "reminder" && tk.SeenAt != nil) {
			return about{}, errNothingToSay
		}
		a = about{category: "cases", payloadKind: "task", titleKey: "push.task.new", agencyID: tk.AgencyID,
			link: "/", ttl: TTLUpdate, urgent: ev.Urgent, area: tk.Area, forward: true}
		if ev.Reason == "reminder" {
			a.titleKey = "push.task.reminder"
		}
	case "report":
		r := o.reports[ev.ObjectID]
		if r == nil || !r.tells(ev.CitizenID) {
			return about{}, errNothingToSay
		}
		a = aboutReport(r)
	case "suggestion":
		sg := o.suggestions[ev.ObjectID]
		if sg == nil || sg.CitizenID != ev.CitizenID || !sg.shows(now) {
			return about{}, errNothingToSay
		}
		a = aboutSuggestion(sg)
	default:
		return about{}, fmt.Errorf("notify: unknown event kind %q", ev.Kind)
	}
	a.id = ev.ObjectID
	return a, nil
}

// agencyNames fills in the agency names of what a batch of events is about, in one query.
func agencyNames(ctx context.Context, db bun.IDB, abouts []*about) error {
	var ids []string
	for _, a := range abouts {
		if a.agencyID != "" {
			ids = append(ids, a.agencyID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var found []agency.Agency
	if err := db.NewSelect().Model(&found).Column("id", "name").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("notify: load agencies: %w", err)
	}
	names := make(map[string]string, len(found))
	for _, ag := range found {
		names[ag.ID] = ag.Name
	}
	for _, a := range abouts {
		a.agency = names[a.agencyID] // an agency deleted meanwhile: the portal's own name stands in
	}
	return nil
}

// loadMessages reads the messages of events with their case's or errand's area (the scope a power
// of attorney must cover to be told), in one query.
func loadMessages(ctx context.Context, db bun.IDB, ids []string) (map[string]*messageRow, error) {
	out := map[string]*messageRow{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []messageRow
	err := db.NewSelect().Model(&rows).ColumnExpr("m.id, m.subject_kind, m.subject_id, m.agency_id, m.citizen_id, m.direction, COALESCE(c.area, e.area) AS area").
		Join("LEFT JOIN cases AS c ON c.id = m.subject_id AND m.subject_kind = 'case'").
		Join("LEFT JOIN errands AS e ON e.id = m.subject_id AND m.subject_kind = 'errand'").
		Where("m.id IN (?)", bun.In(ids)).Where("COALESCE(c.area, e.area) IS NOT NULL").Scan(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}
