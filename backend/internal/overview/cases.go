package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/cases"
	"minside/backend/internal/store"
)

// NextAction is what the citizen must do next on a case, and by when.
type NextAction struct {
	Text  string     `json:"text"`
	DueAt *time.Time `json:"dueAt"`
}

// Case is a case as lists, the overview and the changes feed show it.
type Case struct {
	ID         string      `json:"id"`
	Agency     Agency      `json:"agency"`
	Title      string      `json:"title"`
	Status     string      `json:"status"`
	NextAction *NextAction `json:"nextAction"`
	UpdatedAt  time.Time   `json:"updatedAt"`
	DeepLink   string      `json:"deepLink"`
	Subject    *Person     `json:"subject"`
	SeenAt     *time.Time  `json:"seenAt"`
	// Errand is the errand the case belongs to (null for none): the overview shows the errand
	// instead of its cases.
	Errand *string `json:"errand"`
	// Withheld: sensitive, and the login is below the step-up level: the case shows its agency and
	// date only (no title, status, next action, link, timeline, documents or messages); StepUpURL
	// (set by the web layer) raises the login.
	Sensitive bool       `json:"sensitive,omitempty"`
	Withheld  bool       `json:"withheld,omitempty"`
	StepUpURL *string    `json:"stepUpUrl,omitempty"`
	awaiting  bool       // awaits the citizen (kept when the status is withheld: it still needs them)
	due       *time.Time // the next action's date (kept when withheld: when, not what)
	kind      string
	citizenID string
}

// Statuses a case list may be filtered on.
var caseStatuses = cases.Statuses()

type caseRow struct {
	ID            string     `bun:"id" json:"id"`
	CitizenID     string     `bun:"citizen_id" json:"citizen_id"`
	Kind          string     `bun:"kind" json:"kind"`
	Area          string     `bun:"area" json:"area"`
	Status        string     `bun:"status" json:"status"`
	NextActionDue *time.Time `bun:"next_action_due" json:"next_action_due"`
	DeepLink      string     `bun:"deep_link" json:"deep_link"`
	UpdatedAt     time.Time  `bun:"updated_at" json:"updated_at"`
	AgencySlug    string     `bun:"agency_slug" json:"agency_slug"`
	AgencyName    string     `bun:"agency_name" json:"agency_name"`
	SeenAt        *time.Time `bun:"seen_at" json:"seen_at"`
	ErrandID      *string    `bun:"errand_id" json:"errand_id"`
	Sensitive     bool       `bun:"sensitive" json:"sensitive"`
}

// caseSelect reads cases with their agency and when the viewer (first ?) first opened them.
const caseSelect = `SELECT c.id, c.citizen_id, c.kind, c.area, c.status, c.next_action_due, c.deep_link, c.updated_at, c.errand_id, c.sensitive,
 a.slug AS agency_slug, a.name AS agency_name, s.first_seen_at AS seen_at
FROM cases c JOIN agencies a ON a.id = c.agency_id
LEFT JOIN case_seen s ON s.case_id = c.id AND s.citizen_id = ?
WHERE `

// queuedCases is caseSelect queued on reads with its texts.
type queuedCases struct {
	rows  []caseRow
	texts *queuedTexts
}

// queueCases queues caseSelect with the given condition.
func queueCases(reads *store.Reads, sc *scope, where string, args ...any) *queuedCases {
	q := &queuedCases{}
	all := append([]any{sc.viewer.CitizenID}, args...)
	reads.Add(&q.rows, caseSelect+where, all...)
	q.texts = queueTexts(reads, caseSelect+where, all, sc.viewer.Lang)
	return q
}

// visible localizes the rows the viewer may see.
func (q *queuedCases) visible(sc *scope) []Case {
	txt := q.texts.picked()
	out := make([]Case, 0, len(q.rows))
	for _, r := range q.rows {
		ok, who := sc.sees(r.CitizenID, r.Area)
		if !ok {
			continue
		}
		out = append(out, caseOf(r, who, txt, sc.viewer.Cleared))
	}
	return out
}

// loadCases runs caseSelect with the given condition and localizes the rows.
func (s *Service) loadCases(ctx context.Context, sc *scope, where string, args ...any) ([]Case, error) {
	reads := s.db.NewReads()
	q := queueCases(reads, sc, where, args...)
	if err := reads.Run(ctx); err != nil {
		return nil, fail("cases", err)
	}
	return q.visible(sc), nil
}

// caseOf localizes a row; a withheld one keeps only what says that it exists.
func caseOf(r caseRow, who *Person, txt localTexts, cleared bool) Case {
	c := Case{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Title: txt.get(r.ID, "title"),
		Status: r.Status, UpdatedAt: r.UpdatedAt.UTC(), DeepLink: r.DeepLink, Subject: who, SeenAt: utcPtr(r.SeenAt),
		Errand: r.ErrandID, Sensitive: r.Sensitive, awaiting: r.Status == cases.StatusAwaitingCitizen, due: utcPtr(r.NextActionDue),
		kind: r.Kind, citizenID: r.CitizenID}
	if auth.Withholds(r.Sensitive, cleared) {
		c.Withheld, c.Title, c.Status, c.DeepLink = true, "", "", ""
		return c
	}
	if text := txt.get(r.ID, "next_action"); text != "" || r.NextActionDue != nil {
		c.NextAction = &NextAction{Text: text, DueAt: utcPtr(r.NextActionDue)}
	}
	return c
}

// Cases lists the viewer's cases, most recently updated first, optionally of one status.
func (s *Service) Cases(ctx context.Context, v Viewer, status string, page PageRequest) (Page[Case], error) {
	if status != "" && !slices.Contains(caseStatuses, status) {
		return Page[Case]{}, apperr.Invalid(apperr.Field("/status", "field.invalid", nil))
	}
	after, err := page.after()
	if err != nil {
		return Page[Case]{}, err
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, err := s.resolve(ctx, v, s.now())
	if err != nil {
		return Page[Case]{}, err
	}
	where, args := sc.whose("c.citizen_id", "c.area")
	if status != "" {
		where += " AND c.status = ?"
		args = append(args, status)
	}
	ks, kargs := keyset("c.updated_at", "c.id", true, after)
	limit := page.limit()
	args = append(append(args, kargs...), limit+1)
	items, err := s.loadCases(ctx, sc, where+ks+" ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", args...)
	if err != nil {
		return Page[Case]{}, err
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadCases, "case", ""); err != nil {
		return Page[Case]{}, err
	}
	return pageOf(items, limit, func(c Case) (time.Time, string) { return c.UpdatedAt, c.ID }), nil
}

// casesByID loads the visible cases among ids (the changes feed).
func (s *Service) casesByID(ctx context.Context, sc *scope, ids []string) (map[string]Case, error) {
	out := map[string]Case{}
	if len(ids) == 0 {
		return out, nil
	}
	where, args := sc.whose("c.citizen_id", "c.area")
	items, err := s.loadCases(ctx, sc, where+" AND c.id IN (?)", append(args, inIDs(ids))...)
	for _, c := range items {
		out[c.ID] = c
	}
	return out, err
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
