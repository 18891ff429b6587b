package overview

import (
	"context"
	"slices"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
)

// FeedPage is how many change rows one call of the changes feed reads at most.
const FeedPage = 200

// WithFeedPage returns a copy of the service whose changes feed reads n rows per call (tests use a
// small page to exercise "more").
func (s *Service) WithFeedPage(n int) *Service {
	c := *s
	c.feedPage = n
	return &c
}

// Change is one entry of the changes feed: an object to store (with its current content, in the
// same shape as its list) or to forget.
type Change struct {
	Kind string `json:"kind"` // "case", "errand", "booking", "key", "notification", "tile", "suggestion", "task", "draft"
	ID   string `json:"id"`
	Op   string `json:"op"` // "upsert", "delete"
	Data any    `json:"data"`
}

// Delta is one page of the changes feed. When it carries notifications it also carries the
// overview's notification section as it stands now (Notifications), so a client sets its unread
// badge from the server's count instead of adding up the changes it happened to see.
type Delta struct {
	Changes       []Change `json:"changes"`
	Cursor        string   `json:"cursor"`
	More          bool     `json:"more"`
	Notifications *Unread  `json:"notifications,omitempty"`
}

// Changes returns what changed for the viewer after the cursor. An upsert of something the viewer
// cannot (or can no longer) see, or that is gone, is sent as a delete: forgetting an object the
// client never had is harmless. A cursor past retention is 410: resync from the overview.
func (s *Service) Changes(ctx context.Context, v Viewer, cursor string) (*Delta, error) {
	if cursor == "" {
		return nil, apperr.Invalid(apperr.Field("/cursor", "field.required", nil))
	}
	after, err := changes.ParseCursor(cursor)
	if err != nil {
		return nil, err
	}
	now := utc(s.now())
	if after.Expired(now) {
		return nil, changes.ErrExpired()
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return nil, err
	}
	rows, next, more, err := changes.Since(ctx, s.db, sc.ids(), after, s.feedPage, now)
	if err != nil {
		return nil, fail("changes", err)
	}
	// The last change of an object wins; it is sent once, at its last position.
	type key struct{ kind, id string }
	last := map[key]int{}
	ids := map[string][]string{}
	for i, r := range rows {
		k := key{r.Kind, r.ObjectID}
		if _, seen := last[k]; !seen && r.Op == changes.OpUpsert && validID(r.ObjectID) {
			ids[r.Kind] = append(ids[r.Kind], r.ObjectID)
		}
		last[k] = i
	}
	objects, err := s.objects(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	d := &Delta{Changes: []Change{}, Cursor: next.String(), More: more}
	for i, r := range rows {
		if last[key{r.Kind, r.ObjectID}] != i {
			continue
		}
		c := Change{Kind: r.Kind, ID: r.ObjectID, Op: changes.OpDelete}
		if obj, ok := objects[r.Kind][r.ObjectID]; ok && r.Op == changes.OpUpsert {
			c.Op, c.Data = changes.OpUpsert, obj
		} else if r.Op == changes.OpUpsert && r.CitizenID != nil && !sc.seesEverything(*r.CitizenID) {
			continue // outside a scoped relation's areas: a representative is not even told it exists
		}
		d.Changes = append(d.Changes, c)
	}
	if slices.ContainsFunc(d.Changes, func(c Change) bool { return c.Kind == "notification" }) {
		reads := s.db.NewReads()
		q := queueUnread(reads, sc)
		if err := reads.Run(ctx); err != nil {
			return nil, fail("notifications", err)
		}
		unread := q.unreadSummary(sc)
		d.Notifications = &unread
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadChanges, "changes", ""); err != nil {
		return nil, err
	}
	return d, nil
}

// objects loads the current, visible objects of each kind by id.
func (s *Service) objects(ctx context.Context, sc *scope, ids map[string][]string) (map[string]map[string]any, error) {
	now := utc(s.now())
	out := map[string]map[string]any{}
	put := func(kind, id string, v any) {
		if out[kind] == nil {
			out[kind] = map[string]any{}
		}
		out[kind][id] = v
	}
	cs, err := s.casesByID(ctx, sc, ids["case"])
	if err != nil {
		return nil, err
	}
	for id, c := range cs {
		put("case", id, c)
	}
	if len(ids["errand"]) > 0 {
		reads := s.db.NewReads()
		q := queueErrands(reads, sc, " AND e.id IN (?)", inIDs(ids["errand"]))
		if err := reads.Run(ctx); err != nil {
			return nil, fail("errands", err)
		}
		for _, e := range q.visible(sc) {
			put("errand", e.ID, e)
		}
	}
	bs, err := s.bookingsByID(ctx, sc, now, ids["booking"])
	if err != nil {
		return nil, err
	}
	for id, b := range bs {
		put("booking", id, b)
	}
	ks, err := s.keysByID(ctx, sc, now, ids["key"])
	if err != nil {
		return nil, err
	}
	for id, k := range ks {
		put("key", id, k)
	}
	ns, err := s.notificationsByID(ctx, sc, ids["notification"])
	if err != nil {
		return nil, err
	}
	for id, n := range ns {
		put("notification", id, n)
	}
	for _, kind := range []string{"task", "draft"} {
		ts, err := s.tasksByID(ctx, sc, now, ids[kind])
		if err != nil {
			return nil, err
		}
		for id, t := range ts {
			put(kind, id, t)
		}
	}
	ss, err := s.suggestionsByID(ctx, sc, now, ids["suggestion"])
	if err != nil {
		return nil, err
	}
	for id, sg := range ss {
		put("suggestion", id, sg)
	}
	if len(ids["tile"]) > 0 {
		ts, err := s.loadTiles(ctx, sc, now, ids["tile"])
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			put("tile", t.ID, t)
		}
	}
	return out, nil
}
