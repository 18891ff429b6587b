package notify

import (
	"context"
	"database/sql"
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
	category    string        // preference category: cases, bookings, keys, messages, general
	payloadKind string        // push.Payload.Category: case, booking, key, notice, relation
	titleKey    string        // message id of the lock-screen title
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

// describe loads the event's object. It answers errNothingToSay when the message has no point any more.
func describe(ctx context.Context, db bun.IDB, ev outbox.NotifyEvent, now time.Time) (about, error) {
	agencyName := func(id string) (string, error) {
		var a agency.Agency
		if err := db.NewSelect().Model(&a).Column("name").Where("id = ?", id).Scan(ctx); err != nil {
			return "", err
		}
		return a.Name, nil
	}
	var a about
	var agencyID string
	var err error
	switch ev.Kind {
	case "case":
		var c cases.Case
		if err = db.NewSelect().Model(&c).Where("id = ? AND citizen_id = ?", ev.ObjectID, ev.CitizenID).Scan(ctx); err != nil {
			break
		}
		agencyID = c.AgencyID
		a = about{category: "cases", payloadKind: "case", titleKey: "push.case.status_changed",
			link: "/cases/" + c.ID, ttl: TTLUpdate, urgent: ev.Urgent, area: c.Area, forward: true}
		if ev.Reason == "awaiting_citizen" || c.Status == cases.StatusAwaitingCitizen {
			a.titleKey = "push.case.awaiting_citizen"
		}
	case "notification":
		var n Notification
		if err = db.NewSelect().Model(&n).Where("id = ? AND citizen_id = ?", ev.ObjectID, ev.CitizenID).Scan(ctx); err != nil {
			break
		}
		if n.AgencyID != nil {
			agencyID = *n.AgencyID
		}
		category := n.Category
		if !isCategory(category) {
			category = "general"
		}
		a = about{category: category, payloadKind: "notice", titleKey: "push.notification.new",
			link: "/notifications/" + n.ID, ttl: TTLUpdate, urgent: ev.Urgent || n.Urgency == "high",
			forward: true, notifID: &n.ID}
	case "booking":
		var b bookings.Booking
		if err = db.NewSelect().Model(&b).Where("id = ? AND citizen_id = ?", ev.ObjectID, ev.CitizenID).Scan(ctx); err != nil {
			break
		}
		if b.Status != bookings.StatusConfirmed || !b.StartsAt.After(now) {
			return about{}, errNothingToSay
		}
		agencyID = b.AgencyID
		a = about{category: "bookings", payloadKind: "booking", titleKey: "push.booking.reminder_24h",
			link: "/bookings/" + b.ID, ttl: TTLReminder, urgent: ev.Urgent, area: b.Area, forward: true}
		if ev.Reason == "reminder_2h" {
			a.titleKey = "push.booking.reminder_2h"
		}
		a.ttl = min(a.ttl, b.StartsAt.Sub(now).Truncate(time.Second))
	case "key":
		var k keys.Key
		if err = db.NewSelect().Model(&k).Where("id = ? AND citizen_id = ?", ev.ObjectID, ev.CitizenID).Scan(ctx); err != nil {
			break
		}
		if k.Status != keys.StatusActive || !k.ValidUntil.After(now) {
			return about{}, errNothingToSay
		}
		agencyID = k.AgencyID
		a = about{category: "keys", payloadKind: "key", titleKey: "push.key.valid_soon",
			link: "/keys/" + k.ID, ttl: TTLKey, urgent: ev.Urgent, forward: true}
		if ev.Reason == "expires_soon" {
			a.titleKey = "push.key.expires_soon"
		}
	case "relation":
		// An ended relation may already be deleted: the message needs only its existence.
		a = about{category: "general", payloadKind: "relation", titleKey: "push.relation.new",
			link: "/people", ttl: TTLUpdate, urgent: ev.Urgent}
		if ev.Reason == "ended" {
			a.titleKey = "push.relation.ended"
		}
		var r represent.Relation
		if err = db.NewSelect().Model(&r).Where("id = ?", ev.ObjectID).Scan(ctx); err == nil {
			agencyID = r.AgencyID
		} else if ev.Reason == "ended" && errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	default:
		return about{}, fmt.Errorf("notify: unknown event kind %q", ev.Kind)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return about{}, errNothingToSay
	}
	a.id = ev.ObjectID
	if err != nil {
		return about{}, fmt.Errorf("notify: load %s: %w", ev.Kind, err)
	}
	if agencyID != "" {
		if a.agency, err = agencyName(agencyID); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return about{}, fmt.Errorf("notify: load agency: %w", err)
		}
	}
	return a, nil
}
