package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
)

// Defaults of a citizen who never saved preferences: quiet 22:00–07:00 Oslo time, every category
// on every channel, and a representative does get the represented person's notifications.
const (
	DefaultQuietStart = "22:00"
	DefaultQuietEnd   = "07:00"
	Timezone          = "Europe/Oslo"
)

// Prefs is GET/PUT /api/v1/me/preferences.
type Prefs struct {
	Language                 string                      `json:"language"` // "" = not chosen (Accept-Language decides)
	QuietHours               QuietHours                  `json:"quietHours"`
	Channels                 map[string]citizens.Channel `json:"channels"`
	RepresentedNotifications bool                        `json:"representedNotifications"`
	Suggestions              SuggestionPrefs             `json:"suggestions"`
}

// SuggestionPrefs turn proactive suggestions off, entirely or for some agencies (by slug); the
// overview, the changes feed and push all honour them, and the engine makes none.
type SuggestionPrefs struct {
	Off         bool     `json:"off"`
	OffAgencies []string `json:"offAgencies"`
}

// MaxOffAgencies bounds the agencies one person can turn off (a municipality has a few dozen).
const MaxOffAgencies = 100

// QuietHours are local wall-clock times "HH:MM"; start after end spans midnight. Equal times mean
// no quiet hours. Enabled false switches them off and keeps the times for when they are switched on.
type QuietHours struct {
	Enabled bool   `json:"enabled"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// PrefsInput is a PUT body: absent members keep their saved value, so an older PWA that does not
// know a new category cannot switch it off by omission.
type PrefsInput struct {
	Language                 *string                     `json:"language"`
	QuietHours               *QuietHoursInput            `json:"quietHours"`
	Channels                 map[string]citizens.Channel `json:"channels"`
	RepresentedNotifications *bool                       `json:"representedNotifications"`
	Suggestions              *SuggestionPrefsInput       `json:"suggestions"`
}

// SuggestionPrefsInput changes the suggestion preferences member by member.
type SuggestionPrefsInput struct {
	Off         *bool     `json:"off"`
	OffAgencies *[]string `json:"offAgencies"`
}

// QuietHoursInput changes quiet hours member by member; `"quietHours": null` switches them off.
type QuietHoursInput struct {
	Enabled *bool   `json:"enabled"`
	Start   *string `json:"start"`
	End     *string `json:"end"`
}

// DefaultPrefs are the preferences of a citizen without a saved row.
func DefaultPrefs() Prefs {
	ch := make(map[string]citizens.Channel, len(PreferenceCategories))
	for _, c := range Categories {
		ch[c] = citizens.Channel{Push: true, InApp: true}
	}
	ch[CategorySuggestions] = citizens.Channel{Push: false, InApp: true} // asked for, never assumed
	ch[CategoryReports] = citizens.Channel{Push: true, InApp: true}      // the person's own report: they expect to hear
	return Prefs{QuietHours: QuietHours{Enabled: true, Start: DefaultQuietStart, End: DefaultQuietEnd}, Channels: ch,
		RepresentedNotifications: true, Suggestions: SuggestionPrefs{OffAgencies: []string{}}}
}

// Preferences reads and saves the citizen's choices.
type Preferences struct {
	db          bun.IDB
	hasLanguage func(code string) bool
	oslo        *time.Location
}

// NewPreferences needs the database and the language check of the i18n bundle (Bundle.Has).
func NewPreferences(db bun.IDB, hasLanguage func(code string) bool) (*Preferences, error) {
	loc, err := time.LoadLocation(Timezone)
	if err != nil {
		return nil, fmt.Errorf("notify: time zone %s: %w", Timezone, err)
	}
	return &Preferences{db: db, hasLanguage: hasLanguage, oslo: loc}, nil
}

// Location is Europe/Oslo, in which quiet hours are read.
func (p *Preferences) Location() *time.Location { return p.oslo }

// Get returns the saved preferences merged over the defaults.
func (p *Preferences) Get(ctx context.Context, citizenID string) (Prefs, error) {
	return getPrefs(ctx, p.db, citizenID)
}

func getPrefs(ctx context.Context, db bun.IDB, citizenID string) (Prefs, error) {
	out := DefaultPrefs()
	var row citizens.Preferences
	err := db.NewSelect().Model(&row).Where("citizen_id = ?", citizenID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("notify: preferences: %w", err)
	}
	return prefsFrom(row), nil
}

// prefsOfAll is getPrefs for many citizens in one query (the fan-out of a batch of events).
func prefsOfAll(ctx context.Context, db bun.IDB, citizenIDs []string) (map[string]Prefs, error) {
	var rows []citizens.Preferences
	if err := db.NewSelect().Model(&rows).Where("citizen_id IN (?)", bun.In(citizenIDs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: preferences: %w", err)
	}
	out := make(map[string]Prefs, len(citizenIDs))
	for _, id := range citizenIDs {
		out[id] = DefaultPrefs()
	}
	for _, row := range rows {
		out[row.CitizenID] = prefsFrom(row)
	}
	return out, nil
}

// prefsFrom merges a saved row over the defaults.
func prefsFrom(row citizens.Preferences) Prefs {
	out := DefaultPrefs()
	out.Language = row.Language
	out.QuietHours = QuietHours{Enabled: !row.QuietOff, Start: row.QuietStart, End: row.QuietEnd}
	for c, ch := range row.Channels {
		if _, known := out.Channels[c]; known {
			out.Channels[c] = ch
		}
	}
	out.RepresentedNotifications = row.RepresentedNotifications
	out.Suggestions = SuggestionPrefs{Off: row.SuggestionsOff, OffAgencies: slices.Clone(row.SuggestionsOffAgencies)}
	if out.Suggestions.OffAgencies == nil {
		out.Suggestions.OffAgencies = []string{}
	}
	return out
}

// Put validates in, merges it over the saved preferences and saves. Every refusal is
// apperr invalid with a pointer per bad member.
func (p *Preferences) Put(ctx context.Context, citizenID string, in PrefsInput, now time.Time) (Prefs, error) {
	var fields apperr.Fields
	if in.Language != nil && *in.Language != "" && !p.hasLanguage(*in.Language) {
		fields.Add("/language", "field.invalid_language", nil)
	}
	if q := in.QuietHours; q != nil {
		if _, ok := parseClock(deref(q.Start, DefaultQuietStart)); !ok {
			fields.Add("/quietHours/start", "field.invalid_clock_time", nil)
		}
		if _, ok := parseClock(deref(q.End, DefaultQuietEnd)); !ok {
			fields.Add("/quietHours/end", "field.invalid_clock_time", nil)
		}
	}
	for c := range in.Channels {
		if !slices.Contains(PreferenceCategories, c) {
			fields.Add("/channels/"+c, "field.unknown", nil)
		}
	}
	if in.Suggestions != nil && in.Suggestions.OffAgencies != nil && len(*in.Suggestions.OffAgencies) > MaxOffAgencies {
		fields.Add("/suggestions/offAgencies", "field.too_many", map[string]any{"Max": MaxOffAgencies})
	}
	if err := fields.Err(); err != nil {
		return Prefs{}, err
	}
	var out Prefs
	err := p.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		cur, err := getPrefs(ctx, tx, citizenID)
		if err != nil {
			return err
		}
		if in.Language != nil {
			cur.Language = *in.Language
		}
		if q := in.QuietHours; q != nil {
			cur.QuietHours.Enabled = deref(q.Enabled, cur.QuietHours.Enabled)
			cur.QuietHours.Start = deref(q.Start, cur.QuietHours.Start)
			cur.QuietHours.End = deref(q.End, cur.QuietHours.End)
		}
		for c, ch := range in.Channels {
			cur.Channels[c] = ch
		}
		if in.RepresentedNotifications != nil {
			cur.RepresentedNotifications = *in.RepresentedNotifications
		}
		before := cur.Suggestions
		if in.Suggestions != nil {
			if cur.Suggestions, err = suggestionPrefs(ctx, tx, cur.Suggestions, *in.Suggestions); err != nil {
				return err
			}
		}
		row := &citizens.Preferences{CitizenID: citizenID, Language: cur.Language, QuietOff: !cur.QuietHours.Enabled,
			QuietStart: cur.QuietHours.Start, QuietEnd: cur.QuietHours.End, Timezone: Timezone,
			Channels: cur.Channels, RepresentedNotifications: cur.RepresentedNotifications,
			SuggestionsOff: cur.Suggestions.Off, SuggestionsOffAgencies: cur.Suggestions.OffAgencies, UpdatedAt: store.UTC(now)}
		_, err = tx.NewInsert().Model(row).
			On("CONFLICT (citizen_id) DO UPDATE").
			Set("language = EXCLUDED.language").Set("quiet_off = EXCLUDED.quiet_off").Set("quiet_start = EXCLUDED.quiet_start").
			Set("quiet_end = EXCLUDED.quiet_end").Set("timezone = EXCLUDED.timezone").
			Set("channels = EXCLUDED.channels").
			Set("represented_notifications = EXCLUDED.represented_notifications").
			Set("suggestions_off = EXCLUDED.suggestions_off").Set("suggestions_off_agencies = EXCLUDED.suggestions_off_agencies").
			Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
		if err != nil {
			return err
		}
		out = cur
		if before.Off != cur.Suggestions.Off || !slices.Equal(before.OffAgencies, cur.Suggestions.OffAgencies) {
			if err := suggest.MarkDue(ctx, tx, citizenID); err != nil {
				return err
			}
			return touchSuggestions(ctx, tx, citizenID, now)
		}
		return nil
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return Prefs{}, err
		}
		return Prefs{}, fmt.Errorf("notify: save preferences: %w", err)
	}
	return out, nil
}

func isCategory(c string) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

func deref[T any](p *T, otherwise T) T {
	if p == nil {
		return otherwise
	}
	return *p
}

// parseClock reads "HH:MM" (24 h) as minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// QuietUntil reports whether t falls in the quiet hours read in loc, and if so when they end.
// Wall-clock arithmetic in loc keeps "07:00" right across daylight-saving changes.
func (q QuietHours) QuietUntil(t time.Time, loc *time.Location) (time.Time, bool) {
	start, ok1 := parseClock(q.Start)
	end, ok2 := parseClock(q.End)
	if !q.Enabled || !ok1 || !ok2 || start == end {
		return time.Time{}, false
	}
	local := t.In(loc)
	now := local.Hour()*60 + local.Minute()
	var quiet bool
	endDay := local
	if start < end { // e.g. 01:00–06:00, same day
		quiet = now >= start && now < end
	} else { // spans midnight, e.g. 22:00–07:00
		quiet = now >= start || now < end
		if now >= start {
			endDay = local.AddDate(0, 0, 1)
		}
	}
	if !quiet {
		return time.Time{}, false
	}
	y, m, d := endDay.Date()
	return time.Date(y, m, d, end/60, end%60, 0, 0, loc).UTC(), true
}
