package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
)

// Suggestion is a proactive suggestion as the overview, its page and the changes feed show it: what
// to do, and why the person sees it, told with their own values.
type Suggestion struct {
	ID        string           `json:"id"`
	Agency    Agency           `json:"agency"`
	Category  string           `json:"category"`
	Title     string           `json:"title"`
	Body      string           `json:"body"`
	Action    SuggestionAction `json:"action"`
	Why       Why              `json:"why"`
	CreatedAt time.Time        `json:"createdAt"`
}

// SuggestionAction is what following a suggestion does; Link has the prefill values filled in.
type SuggestionAction struct {
	Type  string `json:"type"` // link, book, renew_key
	Label string `json:"label"`
	Link  string `json:"link,omitempty"`
}

// Why is the "Hvorfor ser jeg dette?" of a suggestion: the rule's why-text in the reader's
// language filled with the person's values (dates and numbers left for the PWA to format in that
// language, as every date of the overview is), and the legal basis the agency gave.
type Why struct {
	Parts      []suggest.WhyPart `json:"parts"`
	LegalBasis string            `json:"legalBasis"`
}

// How many suggestions the overview and the page show: a person has a handful.
const (
	overviewSuggestions = 20
	pageSuggestions     = 100
)

type suggestionRow struct {
	ID          string                   `bun:"id" json:"id"`
	CitizenID   string                   `bun:"citizen_id" json:"citizen_id"`
	Facts       map[string]suggest.Value `bun:"facts" json:"facts"`
	CreatedAt   time.Time                `bun:"created_at" json:"created_at"`
	RuleID      string                   `bun:"rule_id" json:"rule_id"`
	Category    string                   `bun:"category" json:"category"`
	Area        string                   `bun:"area" json:"area"`
	Action      suggest.Action           `bun:"action" json:"action"`
	AgencySlug  string                   `bun:"agency_slug" json:"agency_slug"`
	AgencyName  string                   `bun:"agency_name" json:"agency_name"`
	Off         bool                     `bun:"off" json:"off"`
	OffAgencies []string                 `bun:"off_agencies" json:"off_agencies"`
}

// suggestionFrom is the visible suggestions of one person: active, not snoozed, of a published,
// unexpired rule. The person's opt-outs are read beside each row and applied in Go (the agency
// list is JSON, which the two engines query differently).
const suggestionFrom = ` FROM suggestions s JOIN rules r ON r.id = s.rule_id JOIN agencies a ON a.id = r.agency_id
 LEFT JOIN preferences p ON p.citizen_id = s.citizen_id
WHERE s.citizen_id = ? AND s.state = 'active' AND (s.snoozed_until IS NULL OR s.snoozed_until <= ?)
 AND r.status = 'published' AND (r.expires_at IS NULL OR r.expires_at > ?)`

const suggestionColumns = `SELECT s.id, s.citizen_id, s.facts, s.created_at, r.id AS rule_id, r.category, r.area, r.action,
 a.slug AS agency_slug, a.name AS agency_name,
 COALESCE(p.suggestions_off, FALSE) AS off, COALESCE(p.suggestions_off_agencies, '[]') AS off_agencies`

// queuedSuggestions is the suggestions read queued on reads with their rules' texts.
type queuedSuggestions struct {
	rows  []suggestionRow
	texts *queuedTexts
}

// queueSuggestions queues the subject's visible suggestions, newest first (ids: only those).
func queueSuggestions(reads *store.Reads, sc *scope, now time.Time, ids []string, limit int) *queuedSuggestions {
	q := &queuedSuggestions{}
	where, args := suggestionFrom, []any{sc.self.ID, now, now}
	if ids != nil {
		where += " AND s.id IN (?)"
		args = append(args, inIDs(ids))
	}
	where += " ORDER BY s.created_at DESC, s.id DESC LIMIT ?"
	args = append(args, limit)
	reads.Add(&q.rows, suggestionColumns+where, args...)
	q.texts = queueTexts(reads, "SELECT r.id"+where, args, sc.viewer.Lang)
	return q
}

// visible keeps what the viewer may see: nothing the person turned off, and for a representative
// only rules in the areas the relation covers.
func (q *queuedSuggestions) visible(sc *scope) []Suggestion {
	txt := q.texts.picked()
	out := make([]Suggestion, 0, len(q.rows))
	for _, r := range q.rows {
		if r.Off || slices.Contains(r.OffAgencies, r.AgencySlug) {
			continue
		}
		if ok, _ := sc.sees(r.CitizenID, r.Area); !ok {
			continue
		}
		out = append(out, Suggestion{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Category: r.Category,
			Title: txt.get(r.RuleID, "title"), Body: txt.get(r.RuleID, "body"),
			Action:    SuggestionAction{Type: r.Action.Type, Label: txt.get(r.RuleID, "action_label"), Link: suggest.LinkOf(r.Action, r.Facts)},
			Why:       Why{Parts: suggest.Fill(txt.get(r.RuleID, "why"), r.Facts), LegalBasis: txt.get(r.RuleID, "legal_basis")},
			CreatedAt: r.CreatedAt.UTC()})
	}
	return out
}

// Suggestions lists the viewer's visible suggestions, newest first: the page behind the overview's
// section. A representative's look is audited like every read of someone else's data.
func (s *Service) Suggestions(ctx context.Context, v Viewer) ([]Suggestion, error) {
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return nil, err
	}
	reads := s.db.NewReads()
	q := queueSuggestions(reads, sc, now, nil, pageSuggestions)
	if err := s.queueAuditRead(reads, sc, sc.self.ID, audit.ActionRead, "suggestion", ""); err != nil {
		return nil, err
	}
	if err := reads.Run(ctx); err != nil {
		return nil, fail("suggestions", err)
	}
	return q.visible(sc), nil
}

// suggestionsByID loads the visible suggestions among ids (the changes feed).
func (s *Service) suggestionsByID(ctx context.Context, sc *scope, now time.Time, ids []string) (map[string]Suggestion, error) {
	out := map[string]Suggestion{}
	if len(ids) == 0 {
		return out, nil
	}
	reads := s.db.NewReads()
	q := queueSuggestions(reads, sc, now, ids, len(ids))
	if err := reads.Run(ctx); err != nil {
		return nil, fail("suggestions", err)
	}
	for _, sg := range q.visible(sc) {
		out[sg.ID] = sg
	}
	return out, nil
}
