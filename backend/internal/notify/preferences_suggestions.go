package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/changes"
)

// suggestionPrefs merges in over cur. Agencies are named by slug, as the overview names them; an
// unknown slug is refused (field.unknown_reference on its pointer) so a typo cannot pass for a choice.
func suggestionPrefs(ctx context.Context, db bun.IDB, cur SuggestionPrefs, in SuggestionPrefsInput) (SuggestionPrefs, error) {
	if in.Off != nil {
		cur.Off = *in.Off
	}
	if in.OffAgencies == nil {
		return cur, nil
	}
	slugs := slices.Clone(*in.OffAgencies)
	if slugs == nil {
		slugs = []string{}
	}
	if len(slugs) > 0 {
		var known []string
		if err := db.NewSelect().Table("agencies").Column("slug").Where("slug IN (?)", bun.In(slugs)).Scan(ctx, &known); err != nil {
			return cur, fmt.Errorf("notify: agencies of suggestion preferences: %w", err)
		}
		var fields apperr.Fields
		for i, s := range slugs {
			if !slices.Contains(known, s) {
				fields.Add(fmt.Sprintf("/suggestions/offAgencies/%d", i), "field.unknown_reference", nil)
			}
		}
		if err := fields.Err(); err != nil {
			return cur, err
		}
	}
	slices.Sort(slugs)
	cur.OffAgencies = slices.Compact(slugs)
	return cur, nil
}

// touchSuggestions puts the person's active suggestions on the changes feed after their
// suggestion preferences changed: every device then drops the ones now turned off (the feed sends
// an invisible one as a delete) or gets back the ones turned on, and the overview's ETag moves.
func touchSuggestions(ctx context.Context, tx bun.IDB, citizenID string, now time.Time) error {
	var ids []string
	if err := tx.NewSelect().Table("suggestions").Column("id").Where("citizen_id = ? AND state = 'active'", citizenID).
		Scan(ctx, &ids); err != nil {
		return fmt.Errorf("notify: suggestions to touch: %w", err)
	}
	feed := make([]changes.Change, len(ids))
	for i, id := range ids {
		feed[i] = changes.New(&citizenID, "suggestion", id, changes.OpUpsert, now)
	}
	return changes.RecordAll(ctx, tx, feed)
}
