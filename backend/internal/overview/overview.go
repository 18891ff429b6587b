package overview

import (
	"cmp"
	"context"
	"slices"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
)

// Overview is everything the first screen shows, in one answer.
type Overview struct {
	GeneratedAt   time.Time     `json:"generatedAt"`
	Cursor        string        `json:"cursor"` // start the changes feed here
	Person        Person        `json:"person"`
	ActingAs      *Person       `json:"actingAs"`
	NeedsAction   []Item        `json:"needsAction"`
	Upcoming      []Booking     `json:"upcoming"`
	Keys          []Key         `json:"keys"`
	Notifications Unread        `json:"notifications"`
	Recent        []Case        `json:"recent"`
	Errands       []Errand      `json:"errands"` // each once; their cases are not in recent or needsAction
	Tiles         []Tile        `json:"tiles"`
	Suggestions   []Suggestion  `json:"suggestions"`
	People        []PersonCount `json:"people"`
}

// Item is something that needs the citizen: a case awaiting them, a booking about to start, an
// agency's task, a draft to continue.
type Item struct {
	Kind       string     `json:"kind"`
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Agency     Agency     `json:"agency"`
	DueAt      *time.Time `json:"dueAt"` // a draft: when it expires
	NextAction *string    `json:"nextAction"`
	Subject    *Person    `json:"subject"`
	Link       *string    `json:"link,omitempty"`   // a task's or draft's link into the agency's service ("continue")
	SeenAt     *time.Time `json:"seenAt,omitempty"` // a task: when it was first shown
	Sensitive  bool       `json:"sensitive,omitempty"`
	Withheld   bool       `json:"withheld,omitempty"`  // sensitive, and the login is below the step-up level: no title
	StepUpURL  *string    `json:"stepUpUrl,omitempty"` // where a withheld item's login is raised (set by the web layer)
	Requires   *string    `json:"requires,omitempty"`  // a document: "acknowledge" or "sign"
	CaseID     *string    `json:"caseId,omitempty"`    // a document: the case it belongs to
	signStepUp bool       // a document to sign, and the login is below the step-up level
}

// NeedsStepUp reports whether the item can be done only after a step-up login (signing a document
// below that level); the web layer then adds the StepUpURL.
func (it Item) NeedsStepUp() bool { return it.Withheld || it.signStepUp }

// PersonCount is someone the citizen may act for and how much needs action for them.
type PersonCount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Relation    string `json:"relation"`
	NeedsAction int    `json:"needsAction"`
}

// How much each section of the overview holds.
const (
	overviewCases    = 100 // most recently updated cases read: awaiting ones and the recent five
	overviewRecent   = 5
	overviewUpcoming = 10
	overviewKeys     = 20
)

// Prepared is the first half of an overview: who asks and the version of everything it would show,
// so an unchanged overview is answered 304 without building it. On PostgreSQL the reads of the
// whole overview travel with the version (one round trip, whatever the answer); on SQLite, in
// process, they run only when the overview is built.
type Prepared struct {
	sc     *scope
	now    time.Time
	ETag   string
	queued *queuedOverview // nil until the overview's reads have run
}

// queuedOverview is every read of the overview, queued on one store.Reads.
type queuedOverview struct {
	head          *changes.QueuedHead
	cases         *queuedCases
	errands       *queuedErrands
	bookings      *queuedBookings
	keys          *queuedKeys
	notifications *queuedNotifications
	tiles         *queuedTiles
	suggestions   *queuedSuggestions
	tasks         *queuedTasks
	documents     *queuedDocuments
	counts        []countRow
}

// Prepare resolves the viewer and computes the overview's ETag.
func (s *Service) Prepare(ctx context.Context, v Viewer) (*Prepared, error) {
	return s.PrepareAlong(ctx, v, Along{})
}

// Along is a read that travels in the overview's first statement and must hold before anything
// that statement answered is used: the session lookup of a request built from the session's hint
// (sessions.PendingLookup), so that the whole overview costs one round trip on PostgreSQL.
type Along struct {
	Reads   *store.Reads                // holds the along-read; the overview's reads are queued after it
	Confirm func(context.Context) error // after the reads ran: an error discards their answers
}

// PrepareAlong is Prepare with along's read in the same statement; Confirm's error is returned as is.
func (s *Service) PrepareAlong(ctx context.Context, v Viewer, along Along) (*Prepared, error) {
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return nil, err
	}
	p := &Prepared{sc: sc, now: now}
	reads := along.Reads
	if reads == nil {
		reads = s.db.NewReads()
	}
	version, err := s.queuePrepare(reads, p)
	if err != nil {
		return nil, err
	}
	if err := reads.Run(ctx); err != nil {
		return nil, fail("version", err)
	}
	if along.Confirm != nil {
		if err := along.Confirm(ctx); err != nil {
			return nil, err
		}
	}
	p.ETag = etagOf(sc, now, *version)
	return p, nil
}

// queuePrepare queues what Prepare reads: the version, the audit row of a representative's look at
// someone's overview (recorded whether it is answered in full or 304: their screen shows it either
// way) and, on PostgreSQL, every read of the overview (p.queued).
func (s *Service) queuePrepare(reads *store.Reads, p *Prepared) (*[]versionRow, error) {
	version := queueVersion(reads, p.sc)
	if err := s.queueAuditRead(reads, p.sc, p.sc.self.ID, audit.ActionReadOverview, "overview", ""); err != nil {
		return nil, err
	}
	if reads.Kind() == store.Postgres {
		p.queued = s.queueOverview(reads, p.sc, p.now)
	}
	return version, nil
}

// Statements is every statement a full overview for v sends after the session lookup, in order
// (Prepare's, then Build's): one on PostgreSQL. The benchmark sends them bare beside the endpoint,
// so the two cannot read different things. With v.Known set it reads nothing itself.
func (s *Service) Statements(ctx context.Context, v Viewer) ([]store.Statement, error) {
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return nil, err
	}
	p := &Prepared{sc: sc, now: now}
	reads := s.db.NewReads()
	if _, err := s.queuePrepare(reads, p); err != nil {
		return nil, err
	}
	texts, err := reads.Statements()
	if err != nil || p.queued != nil {
		return texts, err
	}
	reads = s.db.NewReads()
	s.queueOverview(reads, sc, now)
	built, err := reads.Statements()
	return append(texts, built...), err
}

// queueOverview queues every read of the overview: the feed position, the sections with their
// texts, key windows and doors, the suggestions, and the needs-action counts of the people the viewer acts for.
func (s *Service) queueOverview(reads *store.Reads, sc *scope, now time.Time) *queuedOverview {
	q := &queuedOverview{head: changes.QueueHead(reads, now)}
	where, args := sc.whose("c.citizen_id", "c.area")
	q.cases = queueCases(reads, sc, where+" ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", append(args, overviewCases)...)
	q.errands = queueErrands(reads, sc, " ORDER BY e.updated_at DESC, e.id DESC LIMIT ?", overviewErrands)
	where, args = sc.whose("b.citizen_id", "b.area")
	q.bookings = queueBookings(reads, sc, where+" AND b.ends_at > ? AND b.status = ? ORDER BY b.starts_at, b.id LIMIT ?",
		append(args, now, bookings.StatusConfirmed, overviewUpcoming)...)
	where, args = sc.whose("k.citizen_id", "")
	q.keys = queueKeys(reads, now, sc.viewer.Lang, where+" AND k.status = ? AND k.valid_until > ? ORDER BY k.valid_until, k.id LIMIT ?",
		append(args, keys.StatusActive, now, overviewKeys)...)
	q.notifications = queueUnread(reads, sc)
	q.tiles = queueTiles(reads, sc, now, nil)
	q.suggestions = queueSuggestions(reads, sc, now, nil, overviewSuggestions)
	q.tasks = queueOpenTasks(reads, sc, now)
	q.documents = queuePendingDocuments(reads, sc)
	if ids := sc.linkIDs(); len(ids) > 0 {
		reads.Add(&q.counts, needsCountsQuery, needsCountsArgs(ids, now)...)
	}
	return q
}

// Build reads the overview that Prepare described.
func (s *Service) Build(ctx context.Context, p *Prepared) (*Overview, error) {
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, now := p.sc, p.now
	if p.queued == nil {
		reads := s.db.NewReads()
		p.queued = s.queueOverview(reads, sc, now)
		if err := reads.Run(ctx); err != nil {
			return nil, fail("overview", err)
		}
	}
	q := p.queued
	head, err := q.head.Cursor()
	if err != nil {
		return nil, fail("head", err)
	}
	o := &Overview{GeneratedAt: now.Truncate(time.Minute), Cursor: head.String(),
		Person: Person{ID: sc.me.ID, Name: sc.me.Name}, NeedsAction: []Item{}, People: []PersonCount{}}
	if sc.viewer.ActingAs() {
		o.ActingAs = &Person{ID: sc.self.ID, Name: sc.self.Name}
	}

	cs := slices.DeleteFunc(q.cases.visible(sc), func(c Case) bool { return c.Errand != nil })
	o.Recent = cs[:min(len(cs), overviewRecent)]
	o.Errands = q.errands.visible(sc)
	for _, e := range o.Errands {
		if e.Status == cases.StatusAwaitingCitizen {
			o.NeedsAction = append(o.NeedsAction, Item{Kind: "errand", ID: e.ID, Title: e.Title, Agency: e.Agency, Subject: e.Subject})
		}
	}
	for _, c := range cs {
		if c.awaiting {
			it := Item{Kind: "case", ID: c.ID, Title: c.Title, Agency: c.Agency, Subject: c.Subject, DueAt: c.due, Sensitive: c.Sensitive, Withheld: c.Withheld}
			if c.NextAction != nil {
				if c.NextAction.Text != "" {
					it.NextAction = &c.NextAction.Text
				}
			}
			o.NeedsAction = append(o.NeedsAction, it)
		}
	}

	bs := q.bookings.visible(sc, now)
	o.Upcoming = bs
	for _, b := range bs {
		if b.needsAttention(now) {
			due := b.StartsAt
			o.NeedsAction = append(o.NeedsAction, Item{Kind: "booking", ID: b.ID, Title: b.Resource, Agency: b.Agency, DueAt: &due, Subject: b.Subject})
		}
	}
	for _, t := range q.tasks.visible(sc) {
		o.NeedsAction = append(o.NeedsAction, t.item())
	}
	o.NeedsAction = append(o.NeedsAction, q.documents.items(sc)...)
	slices.SortStableFunc(o.NeedsAction, func(a, b Item) int {
		switch {
		case a.DueAt == nil && b.DueAt == nil:
			return 0
		case a.DueAt == nil:
			return 1
		case b.DueAt == nil:
			return -1
		}
		return a.DueAt.Compare(*b.DueAt)
	})

	o.Keys = q.keys.visible(sc, now)
	o.Notifications = q.notifications.unreadSummary(sc)
	if o.Tiles, err = q.tiles.visible(sc, now); err != nil {
		return nil, err
	}
	o.Suggestions = q.suggestions.visible(sc)
	o.People = peopleCounts(sc, q.counts)
	return o, nil
}

type countRow struct {
	CitizenID string `bun:"citizen_id" json:"citizen_id"`
	Area      string `bun:"area" json:"area"`
	N         int    `bun:"n" json:"n"`
}

// linkIDs lists everyone the logged-in person may act for.
func (sc *scope) linkIDs() []string {
	ids := make([]string, len(sc.links))
	for i, l := range sc.links {
		ids[i] = l.ID
	}
	return ids
}

// peopleCounts counts, for everyone the logged-in person may act for, the cases awaiting them and
// the bookings about to start (rows of needsCountsQuery), within the areas the relation covers.
func peopleCounts(sc *scope, rows []countRow) []PersonCount {
	out := make([]PersonCount, 0, len(sc.links))
	for _, l := range sc.links {
		pc := PersonCount{ID: l.ID, Name: l.Name, Relation: l.Relation}
		for _, r := range rows {
			if r.CitizenID == l.ID && (l.Scopes == nil || slices.Contains(l.Scopes, r.Area)) {
				pc.NeedsAction += r.N
			}
		}
		out = append(out, pc)
	}
	slices.SortStableFunc(out, func(a, b PersonCount) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
