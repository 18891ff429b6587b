package overview

import (
	"context"
	"slices"
	"strings"

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

// localTexts holds agency texts picked for one language, by owner id and field.
type localTexts map[textKey]string

type textKey struct{ owner, field string }

func (t localTexts) get(ownerID, field string) string { return t[textKey{ownerID, field}] }

type textRow struct {
	OwnerID string `bun:"owner_id" json:"owner_id"`
	Field   string `bun:"field" json:"field"`
	Lang    string `bun:"lang" json:"lang"`
	Value   string `bun:"value" json:"value"`
}

// textsQueryHead and textsQueryTail, around an IN list of owner ids or a subquery (its args
// first), read the texts of those owners in the languages of a fallback chain (the last two args),
// and every language of an owner with no text in the chain at all (an agency wrote only, say,
// Sami), which is rare and small.
const (
	textsQueryHead = `SELECT t.owner_id, t.field, t.lang, t.value FROM texts t WHERE t.owner_id IN (`
	textsQueryTail = `)
 AND (t.lang IN (?) OR NOT EXISTS (SELECT 1 FROM texts o WHERE o.owner_id = t.owner_id AND o.lang IN (?)))`
)

// textsOfOwners is the texts query over the ids of ownerQuery's rows, written in one allocation: an
// overview writes seven of them, each around a copy of its section's query.
func textsOfOwners(ownerQuery string) string {
	const open, closing = "SELECT owners.id FROM (", ") owners"
	var b strings.Builder
	b.Grow(len(textsQueryHead) + len(open) + len(ownerQuery) + len(closing) + len(textsQueryTail))
	b.WriteString(textsQueryHead)
	b.WriteString(open)
	b.WriteString(ownerQuery)
	b.WriteString(closing)
	b.WriteString(textsQueryTail)
	return b.String()
}

// queuedTexts is a texts query queued on reads; picked localizes it once they ran.
type queuedTexts struct {
	rows []textRow
	lang string
}

// queueTexts queues the texts of the rows of ownerQuery (whose first column is id, args its args).
func queueTexts(reads *store.Reads, ownerQuery string, args []any, lang string) *queuedTexts {
	q := &queuedTexts{lang: lang}
	chain := store.In(i18n.Chain(lang))
	reads.Add(&q.rows, textsOfOwners(ownerQuery), append(slices.Clone(args), chain, chain)...)
	return q
}

// loadTexts reads the texts of owner ids in lang, picked through i18n.Pick.
func (s *Service) loadTexts(ctx context.Context, ownerIDs []string, lang string) (localTexts, error) {
	if len(ownerIDs) == 0 {
		return localTexts{}, nil
	}
	chain := store.In(i18n.Chain(lang))
	q := &queuedTexts{lang: lang}
	if err := s.db.NewRaw(textsQueryHead+"?"+textsQueryTail, store.In(ownerIDs), chain, chain).Scan(ctx, &q.rows); err != nil {
		return nil, fail("texts", err)
	}
	return q.picked(), nil
}

// picked chooses each field's text for the reader's language, as i18n.Pick does: the first
// language of the reader's chain that has a text, else the first language with one in code order.
// One pass over the rows, without a map per owner and field: a request picks hundreds.
func (q *queuedTexts) picked() localTexts {
	chain := i18n.Chain(q.lang)
	rank := func(lang string) int {
		if i := slices.Index(chain, lang); i >= 0 {
			return i
		}
		return len(chain)
	}
	type choice struct {
		rank  int
		lang  string
		value string
	}
	chosen := make(map[textKey]choice, len(q.rows))
	for _, r := range q.rows {
		if r.Value == "" {
			continue
		}
		k, c := textKey{r.OwnerID, r.Field}, choice{rank(r.Lang), r.Lang, r.Value}
		if old, ok := chosen[k]; ok && (old.rank < c.rank || old.rank == c.rank && old.lang < c.lang) {
			continue
		}
		chosen[k] = c
	}
	out := make(localTexts, len(chosen))
	for k, c := range chosen {
		out[k] = c.value
	}
	return out
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
