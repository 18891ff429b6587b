// Package calendar publishes a citizen's bookings and case deadlines as a secret iCalendar
// (RFC 5545) feed that calendar apps subscribe to. The URL holds a random token and is the only
// credential, so only its hash is stored: regenerating the URL revokes the old one, and the URL
// is shown once, when it is made.
package calendar

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// tokenBytes is the secret's size: 256 bits, well above the 128 a guess must beat.
const tokenBytes = 32

// Translator renders message keys in a language (the i18n bundle).
type Translator interface {
	Translate(lang, id string, data map[string]any) string
}

// Service makes and serves calendar feeds.
type Service struct {
	baseURL string // public origin, e.g. https://minside.kommune.no
	tr      Translator
}

// New builds the service; baseURL is the portal's public origin.
func New(baseURL string, tr Translator) *Service {
	return &Service{baseURL: strings.TrimRight(baseURL, "/"), tr: tr}
}

// hashToken is what is stored for a token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Active reports whether the citizen has a feed URL.
func (s *Service) Active(ctx context.Context, db bun.IDB, citizenID string) (bool, error) {
	n, err := db.NewSelect().Model((*citizens.Citizen)(nil)).
		Where("id = ? AND calendar_token_hash IS NOT NULL", citizenID).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("calendar: active: %w", err)
	}
	return n > 0, nil
}

// Create makes a new secret URL and revokes the previous one. The URL is returned only here.
func (s *Service) Create(ctx context.Context, db bun.IDB, citizenID string, now time.Time) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("calendar: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := s.setHash(ctx, db, citizenID, &token, now); err != nil {
		return "", err
	}
	return s.baseURL + "/calendar/" + token + ".ics", nil
}

// Revoke removes the citizen's feed URL; calendar apps then get 404.
func (s *Service) Revoke(ctx context.Context, db bun.IDB, citizenID string, now time.Time) error {
	return s.setHash(ctx, db, citizenID, nil, now)
}

func (s *Service) setHash(ctx context.Context, db bun.IDB, citizenID string, token *string, now time.Time) error {
	var hash *string
	if token != nil {
		h := hashToken(*token)
		hash = &h
	}
	res, err := db.NewUpdate().Model((*citizens.Citizen)(nil)).
		Set("calendar_token_hash = ?", hash).Set("updated_at = ?", store.UTC(now)).
		Where("id = ?", citizenID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("calendar: set token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound()
	}
	return nil
}

// Feed renders the calendar of the citizen whose token this is, or not found. Bookings not yet
// ended and deadlines of open cases from a day ago on are included.
func (s *Service) Feed(ctx context.Context, db bun.IDB, token string, now time.Time) ([]byte, error) {
	if token == "" || len(token) > 128 {
		return nil, apperr.NotFound()
	}
	c := new(citizens.Citizen)
	err := db.NewSelect().Model(c).Where("calendar_token_hash = ?", hashToken(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("calendar: find: %w", err)
	}
	lang, err := languageOf(ctx, db, c.ID)
	if err != nil {
		return nil, err
	}
	now = store.UTC(now)
	var bs []bookings.Booking
	if err := db.NewSelect().Model(&bs).
		Where("citizen_id = ? AND status = ? AND ends_at > ?", c.ID, bookings.StatusConfirmed, now).
		Order("starts_at", "id").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: bookings: %w", err)
	}
	var cs []cases.Case
	if err := db.NewSelect().Model(&cs).
		Where("citizen_id = ? AND next_action_due IS NOT NULL AND next_action_due > ?", c.ID, now.Add(-24*time.Hour)).
		Where("status NOT IN (?)", bun.In([]string{cases.StatusDecided, cases.StatusClosed})).
		Order("next_action_due", "id").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: cases: %w", err)
	}
	return s.render(ctx, db, lang, bs, cs, now)
}

func languageOf(ctx context.Context, db bun.IDB, citizenID string) (string, error) {
	var lang string
	err := db.NewSelect().Model((*citizens.Preferences)(nil)).Column("language").Where("citizen_id = ?", citizenID).Scan(ctx, &lang)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("calendar: language: %w", err)
	}
	if lang == "" {
		lang = "nb"
	}
	return lang, nil
}

var oslo = mustOslo()

func mustOslo() *time.Location {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.FixedZone("CET", 3600) // no tz database: dates may be off by one near midnight
	}
	return loc
}

// deadlineDay tells a deadline that means "by the end of a day" (23:59 or midnight in Oslo, as
// agencies write it) from one at a time of day. The first is an all-day event on that day; the
// second keeps its time, or a 14:57 deadline would read as the whole day.
func deadlineDay(due time.Time) (time.Time, bool) {
	local := due.In(oslo)
	h, m, _ := local.Clock()
	switch {
	case h == 23 && m == 59:
		return local, true
	case h == 0 && m == 0:
		return local.AddDate(0, 0, -1), true // midnight starting the 1st ends the 30th
	}
	return local, false
}

func (s *Service) render(ctx context.Context, db bun.IDB, lang string, bs []bookings.Booking, cs []cases.Case, now time.Time) ([]byte, error) {
	ids := make([]string, 0, len(bs))
	for _, b := range bs {
		ids = append(ids, b.ID)
	}
	btexts, err := texts.Load(ctx, db, "booking", ids)
	if err != nil {
		return nil, err
	}
	ids = ids[:0]
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	ctexts, err := texts.Load(ctx, db, "case", ids)
	if err != nil {
		return nil, err
	}
	host := "minside"
	if u, err := url.Parse(s.baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}

	w := &writer{}
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", "-//Min side//Calendar feed//"+strings.ToUpper(lang))
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", "PUBLISH")
	w.text("X-WR-CALNAME", s.tr.Translate(lang, "calendar.name", nil))
	w.line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
	w.line("X-PUBLISHED-TTL", "PT1H")
	for _, b := range bs {
		summary, _ := i18n.Pick(btexts[b.ID]["resource"], lang)
		if summary == "" {
			summary = s.tr.Translate(lang, "calendar.booking_fallback", nil)
		}
		link := s.baseURL + "/bookings#booking-" + b.ID // the bookings page: there is no page per booking
		w.line("BEGIN", "VEVENT")
		w.line("UID", "booking-"+b.ID+"@"+host)
		w.utc("DTSTAMP", now)
		w.utc("LAST-MODIFIED", b.UpdatedAt)
		w.line("SEQUENCE", fmt.Sprint(max(b.Version, 0)))
		w.utc("DTSTART", b.StartsAt)
		w.utc("DTEND", b.EndsAt)
		w.text("SUMMARY", summary)
		if loc := strings.Trim(strings.Join([]string{b.PlaceName, b.PlaceAddress}, ", "), ", "); loc != "" {
			w.text("LOCATION", loc)
		}
		w.text("DESCRIPTION", s.tr.Translate(lang, "calendar.more_at", map[string]any{"URL": link}))
		w.line("URL", link)
		w.line("STATUS", "CONFIRMED")
		w.line("TRANSP", "OPAQUE")
		w.line("END", "VEVENT")
	}
	for _, c := range cs {
		// A third-party calendar may hold this: the lock-screen title says less than the full one.
		title, _ := i18n.Pick(ctexts[c.ID]["title_public"], lang)
		if title == "" {
			title, _ = i18n.Pick(ctexts[c.ID]["title"], lang)
		}
		link := s.baseURL + "/cases/" + c.ID
		summary := s.tr.Translate(lang, "calendar.case_deadline", map[string]any{"Title": title})
		w.line("BEGIN", "VEVENT")
		w.line("UID", "case-deadline-"+c.ID+"@"+host)
		w.utc("DTSTAMP", now)
		w.utc("LAST-MODIFIED", c.UpdatedAt)
		w.line("SEQUENCE", fmt.Sprint(max(c.Version, 0)))
		if day, allDay := deadlineDay(*c.NextActionDue); allDay {
			w.date("DTSTART", day)
			w.date("DTEND", day.AddDate(0, 0, 1))
			w.text("SUMMARY", summary)
			w.alarm("-PT15H", summary) // 09:00 the day before
		} else {
			// A point in time: with no DTEND the event ends when it starts (RFC 5545 3.6.1).
			w.utc("DTSTART", *c.NextActionDue)
			w.text("SUMMARY", summary)
			w.alarm("-P1D", summary)
			w.alarm("-PT1H", summary)
		}
		w.text("DESCRIPTION", s.tr.Translate(lang, "calendar.more_at", map[string]any{"URL": link}))
		w.line("URL", link)
		w.line("TRANSP", "TRANSPARENT")
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	return w.buf.Bytes(), nil
}
