package overview

import (
	"context"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
)

// overviewTasks bounds the open tasks and drafts the overview reads.
const overviewTasks = 50

// Task is a task or a draft as the overview, the detail and the changes feed show it. A sensitive
// one shown to a session below the step-up level is Withheld: its title and body are empty, and
// the reader shows that something from Agency exists and offers a step-up login.
type Task struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"` // task, draft
	Agency    Agency     `json:"agency"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	DueAt     *time.Time `json:"dueAt"`
	ExpiresAt *time.Time `json:"expiresAt"`
	Link      string     `json:"link"`
	CaseID    *string    `json:"caseId"`
	Sensitive bool       `json:"sensitive"`
	Withheld  bool       `json:"withheld"`
	SeenAt    *time.Time `json:"seenAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	Subject   *Person    `json:"subject"`
	citizenID string
}

type taskRow struct {
	ID         string     `bun:"id" json:"id"`
	Kind       string     `bun:"kind" json:"kind"`
	CitizenID  string     `bun:"citizen_id" json:"citizen_id"`
	Area       string     `bun:"area" json:"area"`
	Status     string     `bun:"status" json:"status"`
	DueAt      *time.Time `bun:"due_at" json:"due_at"`
	ExpiresAt  *time.Time `bun:"expires_at" json:"expires_at"`
	Link       string     `bun:"link" json:"link"`
	CaseID     *string    `bun:"case_id" json:"case_id"`
	Sensitive  bool       `bun:"sensitive" json:"sensitive"`
	SeenAt     *time.Time `bun:"seen_at" json:"seen_at"`
	UpdatedAt  time.Time  `bun:"updated_at" json:"updated_at"`
	AgencySlug string     `bun:"agency_slug" json:"agency_slug"`
	AgencyName string     `bun:"agency_name" json:"agency_name"`
}

// taskSelect reads tasks and drafts with their agency.
const taskSelect = `SELECT t.id, t.kind, t.citizen_id, t.area, t.status, t.due_at, t.expires_at, t.link, t.case_id,
 t.sensitive, t.seen_at, t.updated_at, a.slug AS agency_slug, a.name AS agency_name
FROM tasks t JOIN agencies a ON a.id = t.agency_id
WHERE `

// openTasks is the condition of what is in "needs your action": open, and a draft not expired.
const openTasks = " AND t.status = '" + tasks.StatusOpen + "' AND (t.expires_at IS NULL OR t.expires_at > ?)"

type queuedTasks struct {
	rows  []taskRow
	texts *queuedTexts
}

func queueTasks(reads *store.Reads, sc *scope, where string, args ...any) *queuedTasks {
	q := &queuedTasks{}
	reads.Add(&q.rows, taskSelect+where, args...)
	q.texts = queueTexts(reads, taskSelect+where, args, sc.viewer.Lang)
	return q
}

// queueOpenTasks queues the open tasks and drafts of everyone the viewer sees, soonest first.
func queueOpenTasks(reads *store.Reads, sc *scope, now time.Time) *queuedTasks {
	where, args := sc.whose("t.citizen_id", "t.area")
	return queueTasks(reads, sc, where+openTasks+" ORDER BY COALESCE(t.due_at, t.expires_at), t.id LIMIT ?",
		append(args, now, overviewTasks)...)
}

// visible localizes the rows the viewer may see, withholding sensitive content below the step-up level.
func (q *queuedTasks) visible(sc *scope) []Task {
	txt := q.texts.picked()
	out := make([]Task, 0, len(q.rows))
	for _, r := range q.rows {
		ok, who := sc.sees(r.CitizenID, r.Area)
		if !ok {
			continue
		}
		t := Task{ID: r.ID, Kind: r.Kind, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Status: r.Status,
			DueAt: utcPtr(r.DueAt), ExpiresAt: utcPtr(r.ExpiresAt), Link: r.Link, CaseID: r.CaseID, Sensitive: r.Sensitive,
			SeenAt: utcPtr(r.SeenAt), UpdatedAt: r.UpdatedAt.UTC(), Subject: who, citizenID: r.CitizenID}
		if auth.Withholds(r.Sensitive, sc.viewer.Cleared) {
			t.Withheld, t.Link, t.CaseID = true, "", nil
		} else {
			t.Title, t.Body = txt.get(r.ID, "title"), txt.get(r.ID, "body")
		}
		out = append(out, t)
	}
	return out
}

// item is the task as an entry of "needs your action".
func (t Task) item() Item {
	it := Item{Kind: t.Kind, ID: t.ID, Title: t.Title, Agency: t.Agency, Subject: t.Subject, Sensitive: t.Sensitive, Withheld: t.Withheld}
	it.DueAt = t.DueAt
	if t.Kind == tasks.KindDraft {
		it.DueAt = t.ExpiresAt
	}
	if t.Link != "" {
		link := t.Link
		it.Link = &link
	}
	if t.Kind == tasks.KindTask {
		it.SeenAt = t.SeenAt
	}
	return it
}

// loadTasks runs taskSelect with the given condition and localizes the rows.
func (s *Service) loadTasks(ctx context.Context, sc *scope, where string, args ...any) ([]Task, error) {
	reads := s.db.NewReads()
	q := queueTasks(reads, sc, where, args...)
	if err := reads.Run(ctx); err != nil {
		return nil, fail("tasks", err)
	}
	return q.visible(sc), nil
}

// Task returns one visible task or draft (open or not; an expired draft is gone). A
// representative's read is in the subject's access log.
func (s *Service) Task(ctx context.Context, v Viewer, id string) (Task, error) {
	if !validID(id) {
		return Task{}, apperr.NotFound()
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return Task{}, err
	}
	where, args := sc.whose("t.citizen_id", "t.area")
	items, err := s.loadTasks(ctx, sc, where+" AND t.id = ? AND (t.expires_at IS NULL OR t.expires_at > ?)", append(args, id, now)...)
	if err != nil {
		return Task{}, err
	}
	if len(items) == 0 {
		return Task{}, apperr.NotFound()
	}
	t := items[0]
	if err := s.auditRead(ctx, sc, t.citizenID, audit.ActionRead, t.Kind, id); err != nil {
		return Task{}, err
	}
	return t, nil
}

// tasksByID loads the visible tasks and drafts among ids (the changes feed).
func (s *Service) tasksByID(ctx context.Context, sc *scope, now time.Time, ids []string) (map[string]Task, error) {
	out := map[string]Task{}
	if len(ids) == 0 {
		return out, nil
	}
	where, args := sc.whose("t.citizen_id", "t.area")
	items, err := s.loadTasks(ctx, sc, where+openTasks+" AND t.id IN (?)", append(args, now, inIDs(ids))...)
	for _, t := range items {
		out[t.ID] = t
	}
	return out, err
}
