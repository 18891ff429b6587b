package overview

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

type versionRow struct {
	N   int64 `bun:"n"`
	Max int64 `bun:"m"`
}

// etag names the overview's content without building it: a hash of who asks for whom in which
// language, the relations, the subject's own row, the count and highest seq of the changes of
// everyone shown (and of tiles, citizen_id NULL), and the minute (validNow, canCancel and the
// publish windows of tiles move with the clock). The count catches a change that commits with a
// lower seq than one already seen (PostgreSQL sequences are not commit-ordered).
func (s *Service) etag(ctx context.Context, sc *scope, now time.Time) (string, error) {
	var v versionRow
	if err := s.db.NewRaw(`SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS m FROM changes WHERE citizen_id IN (?) OR citizen_id IS NULL`,
		inIDs(sc.counted)).Scan(ctx, &v); err != nil {
		return "", fail("version", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "overview/1|%s|%s|%s|%d|%s|%d|%d|%d|%d",
		sc.viewer.CitizenID, sc.self.ID, sc.viewer.Lang, now.Truncate(time.Minute).Unix(), sc.relStamp,
		sc.self.UpdatedAt.UnixMicro(), sc.me.UpdatedAt.UnixMicro(), v.N, v.Max)
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`, nil
}
