package overview

import (
	"context"
	"time"

	"minside/backend/internal/auth"
	"minside/backend/internal/cases"
	"minside/backend/internal/store"
)

// overviewDocuments bounds the documents awaiting acknowledgement the overview reads.
const overviewDocuments = 50

// Acknowledgement is who acknowledged or signed a case document, and when ("acknowledged by you at …").
type Acknowledgement struct {
	At               time.Time `json:"at"`
	ByRepresentative bool      `json:"byRepresentative"` // done by someone acting for the person
	Level            string    `json:"level"`
}

type pendingDocumentRow struct {
	ID         string     `bun:"id" json:"id"`
	CaseID     string     `bun:"case_id" json:"case_id"`
	Name       string     `bun:"name" json:"name"`
	URL        string     `bun:"url" json:"url"`
	Requires   string     `bun:"requires" json:"requires"`
	DueAt      *time.Time `bun:"due_at" json:"due_at"`
	CitizenID  string     `bun:"citizen_id" json:"citizen_id"`
	Area       string     `bun:"area" json:"area"`
	AgencySlug string     `bun:"agency_slug" json:"agency_slug"`
	AgencyName string     `bun:"agency_name" json:"agency_name"`
	Sensitive  bool       `bun:"sensitive" json:"sensitive"` // the document's or its case's
}

// pendingDocuments is the condition of a document in "needs your action": it asks for something
// and nobody has done it yet.
const pendingDocuments = `SELECT d.id, d.case_id, d.name, d.url, d.requires, d.due_at, c.citizen_id, c.area,
 a.slug AS agency_slug, a.name AS agency_name, (d.sensitive OR c.sensitive) AS sensitive
FROM case_documents d JOIN cases c ON c.id = d.case_id JOIN agencies a ON a.id = c.agency_id
WHERE d.requires <> '' AND NOT EXISTS (SELECT 1 FROM document_acknowledgements k
 WHERE k.case_id = d.case_id AND k.document_ext_id = d.external_id) AND `

type queuedDocuments struct{ rows []pendingDocumentRow }

// queuePendingDocuments queues the documents everyone the viewer sees must acknowledge or sign.
func queuePendingDocuments(reads *store.Reads, sc *scope) *queuedDocuments {
	q := &queuedDocuments{}
	where, args := sc.whose("c.citizen_id", "c.area")
	reads.Add(&q.rows, pendingDocuments+where+" ORDER BY d.due_at IS NULL, d.due_at, d.id LIMIT ?", append(args, overviewDocuments)...)
	return q
}

// items are the pending documents as entries of "needs your action": the link opens the document.
func (q *queuedDocuments) items(sc *scope) []Item {
	out := make([]Item, 0, len(q.rows))
	for _, r := range q.rows {
		ok, who := sc.sees(r.CitizenID, r.Area)
		if !ok {
			continue
		}
		link, requires, caseID := r.URL, r.Requires, r.CaseID
		it := Item{Kind: "document", ID: r.ID, Title: r.Name, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName},
			DueAt: utcPtr(r.DueAt), Subject: who, Link: &link, Requires: &requires, CaseID: &caseID, Sensitive: r.Sensitive,
			signStepUp: r.Requires == cases.RequiresSign && !sc.viewer.Cleared}
		if auth.Withholds(r.Sensitive, sc.viewer.Cleared) {
			it.Withheld, it.Title, it.Link = true, "", nil
		}
		out = append(out, it)
	}
	return out
}

// acknowledgementsOf reads what has been acknowledged of a case's documents, by the agency's document id.
func (s *Service) acknowledgementsOf(ctx context.Context, caseID string) (map[string]cases.Acknowledgement, error) {
	var rows []cases.Acknowledgement
	if err := s.db.NewSelect().Model(&rows).Where("case_id = ?", caseID).Scan(ctx); err != nil {
		return nil, fail("acknowledgements", err)
	}
	out := make(map[string]cases.Acknowledgement, len(rows))
	for _, r := range rows {
		out[r.DocumentExtID] = r
	}
	return out, nil
}
