package notify

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// suggestionRow is what a push about a new suggestion needs to know: whether it is still to be
// shown to its person, and in which area (what a power of attorney would have to cover).
type suggestionRow struct {
	ID           string     `bun:"id"`
	CitizenID    string     `bun:"citizen_id"`
	State        string     `bun:"state"`
	SnoozedUntil *time.Time `bun:"snoozed_until"`
	Area         string     `bun:"area"`
	RuleStatus   string     `bun:"rule_status"`
	ExpiresAt    *time.Time `bun:"expires_at"`
	AgencySlug   string     `bun:"agency_slug"`
	Off          bool       `bun:"off"`
	OffAgencies  []string   `bun:"off_agencies"`
}

const suggestionsByID = `SELECT s.id, s.citizen_id, s.state, s.snoozed_until, r.area, r.status AS rule_status, r.expires_at,
 a.slug AS agency_slug, COALESCE(p.suggestions_off, FALSE) AS off, COALESCE(p.suggestions_off_agencies, '[]') AS off_agencies
FROM suggestions s JOIN rules r ON r.id = s.rule_id JOIN agencies a ON a.id = r.agency_id
 LEFT JOIN preferences p ON p.citizen_id = s.citizen_id
WHERE s.id IN (?)`

func loadSuggestions(ctx context.Context, db bun.IDB, ids []string) (map[string]*suggestionRow, error) {
	out := map[string]*suggestionRow{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []suggestionRow
	if err := db.NewRaw(suggestionsByID, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// shows reports whether the suggestion would be on the person's overview at now: a push about
// one they dismissed, snoozed or turned off (since the engine made it) says nothing.
func (s *suggestionRow) shows(now time.Time) bool {
	return s.State == "active" && (s.SnoozedUntil == nil || !s.SnoozedUntil.After(now)) &&
		s.RuleStatus == "published" && (s.ExpiresAt == nil || s.ExpiresAt.After(now)) &&
		!s.Off && !slices.Contains(s.OffAgencies, s.AgencySlug)
}

// aboutSuggestion is a push about a new suggestion. Its lock-screen title is the portal's neutral
// "new suggestion" without the rule's title or agency: a suggestion can tell a lot about a life.
func aboutSuggestion(s *suggestionRow) about {
	return about{category: CategorySuggestions, payloadKind: "suggestion", titleKey: "push.suggestion.new",
		link: "/suggestions", ttl: TTLUpdate, area: s.Area}
}
