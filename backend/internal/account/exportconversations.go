package account

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/messages"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// ExportErrand is one matter across agencies: the lead agency and the cases it groups (by id, as in Cases).
type ExportErrand struct {
	ID        string            `json:"id"`
	Agency    string            `json:"agency"` // the lead agency
	Title     string            `json:"title"`
	Status    string            `json:"status"` // the merged status of its cases
	Area      string            `json:"area"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
	Texts     map[string]string `json:"texts"`
	CaseIDs   []string          `json:"caseIds"`
}

// ExportMessage is one message on the person's case: what was written, by whom, and when the other
// side first read it (the agency for the person's message, the person for an agency's answer).
type ExportMessage struct {
	ID          string             `json:"id"`
	SubjectKind string             `json:"subjectKind"` // case, errand
	SubjectID   string             `json:"subjectId"`
	Agency      string             `json:"agency"`
	Direction   string             `json:"direction"` // citizen (the person, or someone for them), agency
	WrittenBy   string             `json:"writtenBy"` // the person, the representative or the agency, by name
	OnBehalf    bool               `json:"onBehalf"`  // a representative wrote it for the person
	Body        string             `json:"body"`
	SentAt      time.Time          `json:"sentAt"`
	SeenAt      *time.Time         `json:"seenAt"`
	Attachments []ExportAttachment `json:"attachments"`
	Sensitive   bool               `json:"sensitive"` // the agency marked it, or it is on a sensitive case
	Withheld    bool               `json:"withheld"`  // sensitive, below the step-up level: no text or attachments
}

// ExportAttachment is a file of a message. The export is one JSON document, so the bytes are not in
// it: URL downloads them through the citizen API with the person's login (GET /api/v1/attachments/{id}).
type ExportAttachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"` // bytes
	URL         string `json:"url"`
}

// ExportTask is a task an agency asked of the person or an application they started (a draft).
// A sensitive one exported from a login below the step-up level is Withheld: no title, body or
// link, as on the overview.
type ExportTask struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"` // task, draft
	Agency    string            `json:"agency"`
	Title     string            `json:"title"`
	Status    string            `json:"status"` // task: open, done, closed; draft: open, submitted
	DueAt     *time.Time        `json:"dueAt"`
	ExpiresAt *time.Time        `json:"expiresAt"`
	Link      string            `json:"link"`
	CaseID    *string           `json:"caseId"`
	SeenAt    *time.Time        `json:"seenAt"`
	Sensitive bool              `json:"sensitive"`
	Withheld  bool              `json:"withheld"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
	Texts     map[string]string `json:"texts"`
}

// ExportAcknowledgement is a case document the person (or someone for them) confirmed having read or signed.
type ExportAcknowledgement struct {
	CaseID           string    `json:"caseId"`
	DocumentID       string    `json:"documentId"` // the agency's id of the document
	Document         string    `json:"document"`   // its name, while the agency still lists it
	Requires         string    `json:"requires"`   // acknowledge, sign
	ByRepresentative bool      `json:"byRepresentative"`
	Level            string    `json:"level"` // the login's assurance level
	At               time.Time `json:"at"`
	Withheld         bool      `json:"withheld"` // a sensitive document, below the step-up level: not named
}

func collectErrands(ctx context.Context, db bun.IDB, id, lang string, d *Data) error {
	var rows []struct {
		ID        string    `bun:"id"`
		Agency    string    `bun:"agency"`
		Status    string    `bun:"status"`
		Area      string    `bun:"area"`
		CreatedAt time.Time `bun:"created_at"`
		UpdatedAt time.Time `bun:"updated_at"`
	}
	if err := db.NewRaw(`SELECT e.id, a.name AS agency, e.status, e.area, e.created_at, e.updated_at
		FROM errands e JOIN agencies a ON a.id = e.agency_id WHERE e.citizen_id = ? ORDER BY e.updated_at DESC, e.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	var members []struct {
		ID       string `bun:"id"`
		ErrandID string `bun:"errand_id"`
	}
	if err := db.NewRaw(`SELECT id, errand_id FROM cases WHERE citizen_id = ? AND errand_id IS NOT NULL ORDER BY created_at, id`, id).
		Scan(ctx, &members); err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	all, err := texts.Load(ctx, db, "errand", ids)
	if err != nil {
		return err
	}
	d.Errands = make([]ExportErrand, 0, len(rows))
	at := map[string]int{}
	for _, r := range rows {
		t := inLanguage(all[r.ID], lang)
		at[r.ID] = len(d.Errands)
		d.Errands = append(d.Errands, ExportErrand{ID: r.ID, Agency: r.Agency, Title: titleOf(t, r.Agency), Status: r.Status, Area: r.Area,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Texts: t, CaseIDs: []string{}})
	}
	for _, m := range members {
		if i, ok := at[m.ErrandID]; ok {
			d.Errands[i].CaseIDs = append(d.Errands[i].CaseIDs, m.ID)
		}
	}
	return nil
}

// collectMessages reads every message on the person's cases with their attachments' descriptions;
// attachmentURL turns an attachment's id into its download link.
// collectMessages reads every message on the person's cases and errands; cleared says the login
// may see sensitive content (auth.Withholds).
func collectMessages(ctx context.Context, db bun.IDB, id string, attachmentURL func(string) string, cleared bool, d *Data) error {
	var rows []struct {
		ID          string     `bun:"id"`
		SubjectKind string     `bun:"subject_kind"`
		SubjectID   string     `bun:"subject_id"`
		Agency      string     `bun:"agency"`
		Direction   string     `bun:"direction"`
		AuthorID    *string    `bun:"author_id"`
		Author      *string    `bun:"author"`
		Body        string     `bun:"body"`
		CreatedAt   time.Time  `bun:"created_at"`
		SeenAt      *time.Time `bun:"seen_at"`
		Sensitive   bool       `bun:"sensitive"`
	}
	if err := db.NewRaw(`SELECT m.id, m.subject_kind, m.subject_id, a.name AS agency, m.direction, m.author_id, p.name AS author,
		m.body, m.created_at, m.seen_at, (m.sensitive OR COALESCE(c.sensitive, FALSE)) AS sensitive
		FROM messages m JOIN agencies a ON a.id = m.agency_id LEFT JOIN citizens p ON p.id = m.author_id
		LEFT JOIN cases c ON m.subject_kind = 'case' AND c.id = m.subject_id
		WHERE m.citizen_id = ? ORDER BY m.created_at, m.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	var files []messages.Attachment
	if err := db.NewSelect().Model(&files).Where("message_id IN (SELECT id FROM messages WHERE citizen_id = ?)", id).
		Order("message_id", "position").Scan(ctx); err != nil {
		return err
	}
	d.Messages = make([]ExportMessage, 0, len(rows))
	at := map[string]int{}
	for _, r := range rows {
		m := ExportMessage{ID: r.ID, SubjectKind: r.SubjectKind, SubjectID: r.SubjectID, Agency: r.Agency, Direction: r.Direction,
			Body: r.Body, SentAt: r.CreatedAt.UTC(), SeenAt: utcPtr(r.SeenAt), Attachments: []ExportAttachment{}, Sensitive: r.Sensitive}
		if auth.Withholds(r.Sensitive, cleared) {
			m.Withheld, m.Body = true, ""
		}
		switch {
		case r.Direction == messages.FromAgency:
			m.WrittenBy = r.Agency
		case r.AuthorID != nil && *r.AuthorID != id:
			m.OnBehalf = true
			if r.Author != nil {
				m.WrittenBy = *r.Author
			}
		default:
			m.WrittenBy = d.Person.Name
		}
		at[r.ID] = len(d.Messages)
		d.Messages = append(d.Messages, m)
	}
	for _, f := range files {
		m := &d.Messages[at[f.MessageID]]
		if m.Withheld {
			continue
		}
		m.Attachments = append(m.Attachments, ExportAttachment{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
			URL: attachmentURL(f.ID)})
	}
	return nil
}

// collectTasks reads every task and draft, open or not; cleared says the login may see sensitive content.
func collectTasks(ctx context.Context, db bun.IDB, id, lang string, cleared bool, d *Data) error {
	var rows []struct {
		ID        string     `bun:"id"`
		Kind      string     `bun:"kind"`
		Agency    string     `bun:"agency"`
		Status    string     `bun:"status"`
		DueAt     *time.Time `bun:"due_at"`
		ExpiresAt *time.Time `bun:"expires_at"`
		Link      string     `bun:"link"`
		CaseID    *string    `bun:"case_id"`
		SeenAt    *time.Time `bun:"seen_at"`
		Sensitive bool       `bun:"sensitive"`
		CreatedAt time.Time  `bun:"created_at"`
		UpdatedAt time.Time  `bun:"updated_at"`
	}
	if err := db.NewRaw(`SELECT t.id, t.kind, a.name AS agency, t.status, t.due_at, t.expires_at, t.link, t.case_id, t.seen_at,
		t.sensitive, t.created_at, t.updated_at FROM tasks t JOIN agencies a ON a.id = t.agency_id
		WHERE t.citizen_id = ? ORDER BY t.created_at DESC, t.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	all, err := texts.Load(ctx, db, tasks.TextOwner, ids)
	if err != nil {
		return err
	}
	d.Tasks = make([]ExportTask, 0, len(rows))
	for _, r := range rows {
		t := ExportTask{ID: r.ID, Kind: r.Kind, Agency: r.Agency, Status: r.Status, DueAt: utcPtr(r.DueAt), ExpiresAt: utcPtr(r.ExpiresAt),
			Link: r.Link, CaseID: r.CaseID, SeenAt: utcPtr(r.SeenAt), Sensitive: r.Sensitive, CreatedAt: r.CreatedAt.UTC(),
			UpdatedAt: r.UpdatedAt.UTC(), Texts: map[string]string{}}
		if auth.Withholds(r.Sensitive, cleared) {
			t.Withheld, t.Link, t.CaseID = true, "", nil
		} else {
			t.Texts = inLanguage(all[r.ID], lang)
			t.Title = titleOf(t.Texts, "")
		}
		d.Tasks = append(d.Tasks, t)
	}
	return nil
}

// collectAcknowledgements reads the documents the person confirmed or signed; below the step-up
// level (cleared false) a sensitive document, or one on a sensitive case, is not named.
func collectAcknowledgements(ctx context.Context, db bun.IDB, id string, cleared bool, d *Data) error {
	var rows []struct {
		CaseID    string    `bun:"case_id"`
		DocExtID  string    `bun:"document_ext_id"`
		Name      *string   `bun:"name"`
		Requires  string    `bun:"requires"`
		ActorKind string    `bun:"actor_kind"`
		Level     string    `bun:"level"`
		At        time.Time `bun:"acknowledged_at"`
		Sensitive bool      `bun:"sensitive"`
	}
	if err := db.NewRaw(`SELECT k.case_id, k.document_ext_id, doc.name, k.requires, k.actor_kind, k.level, k.acknowledged_at,
		(COALESCE(doc.sensitive, FALSE) OR COALESCE(c.sensitive, FALSE)) AS sensitive
		FROM document_acknowledgements k
		LEFT JOIN case_documents doc ON doc.case_id = k.case_id AND doc.external_id = k.document_ext_id
		LEFT JOIN cases c ON c.id = k.case_id
		WHERE k.citizen_id = ? ORDER BY k.acknowledged_at, k.case_id, k.document_ext_id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	d.Acknowledgements = make([]ExportAcknowledgement, 0, len(rows))
	for _, r := range rows {
		a := ExportAcknowledgement{CaseID: r.CaseID, DocumentID: r.DocExtID, Requires: r.Requires,
			ByRepresentative: r.ActorKind == audit.ActorRepresentative, Level: r.Level, At: r.At.UTC()}
		switch {
		case auth.Withholds(r.Sensitive, cleared):
			a.Withheld = true
		case r.Name != nil:
			a.Document = *r.Name
		}
		d.Acknowledgements = append(d.Acknowledgements, a)
	}
	return nil
}
