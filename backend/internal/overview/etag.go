package overview

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"minside/backend/internal/store"
)

type versionRow struct {
	N   int64 `bun:"n" json:"n"`
	Max int64 `bun:"m" json:"m"`
}

// queueVersion queues what the ETag names the overview's content by, without building it. The ETag
// (etagOf) is a hash of who asks for whom in which
// language, the relations, the subject's own row, the count and highest seq of the changes of
// everyone shown (and of tiles, citizen_id NULL), and the minute (validNow, canCancel and the
// publish windows of tiles move with the clock). The count catches a change that commits with a
// lower seq than one already seen (PostgreSQL sequences are not commit-ordered).
func queueVersion(reads *store.Reads, sc *scope) *[]versionRow {
	var v []versionRow
	reads.Add(&v, `SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS m FROM changes WHERE citizen_id IN (?) OR citizen_id IS NULL`,
		inIDs(sc.counted))
	return &v
}

// etagOf is the ETag of the version read by queueVersion.
func etagOf(sc *scope, now time.Time, version []versionRow) string {
	var v versionRow
	if len(version) == 1 {
		v = version[0]
	}
	h := sha256.New()
	fmt.Fprintf(h, "overview/1|%s|%s|%s|%t|%d|%s|%d|%d|%d|%d",
		sc.viewer.CitizenID, sc.self.ID, sc.viewer.Lang, sc.viewer.Cleared, now.Truncate(time.Minute).Unix(), sc.relStamp,
		sc.self.UpdatedAt.UnixMicro(), sc.me.UpdatedAt.UnixMicro(), v.N, v.Max)
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}
