package account

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/files"
	"minside/backend/internal/ideas"
	"minside/backend/internal/texts"
)

// leavePublicSpace ends the person's part in what residents share about public space, in the
// closing transaction (docs/reporting.md and docs/ideas.md, "Closing the account"):
//
//   - Reports stay: a pothole is still there, and the agency works on it. They lose their link
//     to the person (and so every push and the "my reports" list), and the person follows
//     nothing any more.
//   - Ideas the person wrote are deleted with their photos and the moderator's reasons. An idea
//     is the person's own words, which may name them however we cut the author link; what the
//     municipality has already decided on it lives in its own case handling.
//   - Supports the person gave are taken back, and the count on each idea moves with them, as
//     when they withdraw one themself.
func leavePublicSpace(ctx context.Context, tx bun.Tx, citizenID string, now time.Time) error {
	if _, err := tx.NewRaw(`UPDATE reports SET citizen_id = NULL WHERE citizen_id = ?`, citizenID).Exec(ctx); err != nil {
		return fmt.Errorf("account: close: reports: %w", err)
	}
	if _, err := tx.NewRaw(`DELETE FROM report_followers WHERE citizen_id = ?`, citizenID).Exec(ctx); err != nil {
		return fmt.Errorf("account: close: report followers: %w", err)
	}
	if _, err := tx.NewRaw(`UPDATE ideas SET support_count = support_count - 1
		WHERE id IN (SELECT idea_id FROM idea_supports WHERE citizen_id = ?) AND author_id <> ?`, citizenID, citizenID).Exec(ctx); err != nil {
		return fmt.Errorf("account: close: idea support counts: %w", err)
	}
	if _, err := tx.NewRaw(`DELETE FROM idea_supports WHERE citizen_id = ?`, citizenID).Exec(ctx); err != nil {
		return fmt.Errorf("account: close: idea supports: %w", err)
	}
	var own []struct {
		ID       string  `bun:"id"`
		PhotoKey *string `bun:"photo_key"`
	}
	if err := tx.NewRaw(`SELECT id, photo_key FROM ideas WHERE author_id = ? ORDER BY id`, citizenID).Scan(ctx, &own); err != nil {
		return fmt.Errorf("account: close: ideas: %w", err)
	}
	ids, photos := make([]string, 0, len(own)), []string{}
	for _, i := range own {
		ids = append(ids, i.ID)
		if i.PhotoKey != nil {
			photos = append(photos, *i.PhotoKey)
		}
	}
	if err := texts.Delete(ctx, tx, ideas.TextOwner, ids...); err != nil {
		return err
	}
	if err := files.EnqueueDelete(ctx, tx, photos, now); err != nil {
		return fmt.Errorf("account: close: idea photos: %w", err)
	}
	// Others' supports of these ideas go with them (ON DELETE CASCADE).
	if _, err := tx.NewRaw(`DELETE FROM ideas WHERE author_id = ?`, citizenID).Exec(ctx); err != nil {
		return fmt.Errorf("account: close: ideas: %w", err)
	}
	return nil
}
