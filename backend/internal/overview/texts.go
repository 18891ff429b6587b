package overview

import (
	"context"
	"fmt"
	"slices"

	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
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
	OwnerID string `bun:"owner_id" json:"owner_id"`
	Field   string `bun:"field" json:"field"`
	Lang    string `bun:"lang" json:"lang"`
	Value   string `bun:"value" json:"value"`
}

// textsQuery reads the texts of the owners ownersIn names (an IN list or a subquery, its args
// first) in the languages of a fallback chain (the last two args), and every language of an owner
// with no text in the chain at all (an agency wrote only, say, Sami), which is rare and small.
const textsQuery = `SELECT t.owner_id, t.field, t.lang, t.value FROM texts t WHERE t.owner_id IN (%s)
 AND (t.lang IN (?) OR NOT EXISTS (SELECT 1 FROM texts o WHERE o.owner_id = t.owner_id AND o.lang IN (?)))`

// queuedTexts is a texts query queued on reads; picked localizes it once they ran.
type queuedTexts struct {
	rows []textRow
	lang string
}

// queueTexts queues the texts of the rows of ownerQuery (whose first column is id, args its args).
func queueTexts(reads *store.Reads, ownerQuery string, args []any, lang string) *queuedTexts {
	q := &queuedTexts{lang: lang}
	chain := store.In(i18n.Chain(lang))
	reads.Add(&q.rows, fmt.Sprintf(textsQuery, "SELECT owners.id FROM ("+ownerQuery+") owners"), append(slices.Clone(args), chain, chain)...)
	return q
}

// loadTexts reads the texts of owner ids in lang, picked through i18n.Pick.
func (s *Service) loadTexts(ctx context.Context, ownerIDs []string, lang string) (localTexts, error) {
	if len(ownerIDs) == 0 {
		return localTexts{}, nil
	}
	chain := store.In(i18n.Chain(lang))
	q := &queuedTexts{lang: lang}
	if err := s.db.NewRaw(fmt.Sprintf(textsQuery, "?"), store.In(ownerIDs), chain, chain).Scan(ctx, &q.rows); err != nil {
		return nil, fail("texts", err)
	}
	return q.picked(), nil
}

// picked chooses each field's text for the reader's language.
func (q *queuedTexts) picked() localTexts {
	out := localTexts{}
	for id, fields := range collect(q.rows) {
		picked := make(map[string]string, len(fields))
		for field, values := range fields {
			picked[field], _ = i18n.Pick(values, q.lang)
		}
		out[id] = picked
	}
	return out
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
