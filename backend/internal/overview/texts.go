package overview

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"minside/backend/internal/i18n"
)

// Owner kinds of agency texts the overview reads (texts.owner_kind) and their fields.
const (
	textCase         = "case"         // title, title_public, next_action
	textCaseEvent    = "case_event"   // title, body
	textBooking      = "booking"      // resource
	textNotification = "notification" // title, body
	textTile         = "tile"         // title, description
)

// localTexts holds agency texts picked for one language: owner id → field → text.
type localTexts map[string]map[string]string

func (t localTexts) get(ownerID, field string) string { return t[ownerID][field] }

type textRow struct {
	OwnerID string `bun:"owner_id"`
	Field   string `bun:"field"`
	Lang    string `bun:"lang"`
	Value   string `bun:"value"`
}

// loadTexts reads the texts of many owners in the languages of lang's fallback chain in one query,
// and picks each field through i18n.Pick. Fields with no text in the chain (an agency wrote only,
// say, Sami) are read again in every language, which is rare and small.
func (s *Service) loadTexts(ctx context.Context, ownerIDs []string, lang string) (localTexts, error) {
	out := localTexts{}
	if len(ownerIDs) == 0 {
		return out, nil
	}
	chain := i18n.Chain(lang)
	var rows []textRow
	if err := s.db.NewRaw(`SELECT owner_id, field, lang, value FROM texts WHERE owner_id IN (?) AND lang IN (?)`,
		bun.In(ownerIDs), bun.In(chain)).Scan(ctx, &rows); err != nil {
		return nil, fail("texts", err)
	}
	found := collect(rows)
	var missing []string
	for _, id := range ownerIDs {
		if _, ok := found[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		rows = rows[:0]
		if err := s.db.NewRaw(`SELECT owner_id, field, lang, value FROM texts WHERE owner_id IN (?)`,
			bun.In(missing)).Scan(ctx, &rows); err != nil {
			return nil, fail("texts", err)
		}
		for id, fields := range collect(rows) {
			found[id] = fields
		}
	}
	for id, fields := range found {
		picked := make(map[string]string, len(fields))
		for field, values := range fields {
			picked[field], _ = i18n.Pick(values, lang)
		}
		out[id] = picked
	}
	return out, nil
}

func collect(rows []textRow) map[string]map[string]map[string]string {
	found := map[string]map[string]map[string]string{}
	for _, r := range rows {
		f := found[r.OwnerID]
		if f == nil {
			f = map[string]map[string]string{}
			found[r.OwnerID] = f
		}
		if f[r.Field] == nil {
			f[r.Field] = map[string]string{}
		}
		f[r.Field][r.Lang] = r.Value
	}
	return found
}

// uniq drops repeated ids, keeping the first.
func uniq(ids []string) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
