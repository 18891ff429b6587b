package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
)

// Acknowledgement is, on GET of a case, one of its documents the citizen acknowledged or signed:
// the same facts as the document.acknowledged webhook, for an agency that missed it.
type Acknowledgement struct {
	Document string    `json:"document"` // the agency's document id
	Requires string    `json:"requires"`
	At       time.Time `json:"at"`
	By       string    `json:"by"` // "citizen" or "representative"
	Level    string    `json:"level"`
}

// withAcknowledgements adds the member "acknowledgements" (always a list) to a case's GET body.
func withAcknowledgements(ctx context.Context, db bun.IDB, caseID string, body json.RawMessage) (json.RawMessage, error) {
	var rows []cases.Acknowledgement
	if err := db.NewSelect().Model(&rows).Where("case_id = ?", caseID).Order("acknowledged_at", "document_ext_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("ingest: acknowledgements: %w", err)
	}
	list := make([]Acknowledgement, len(rows))
	for i, r := range rows {
		by := "citizen"
		if r.ActorKind == audit.ActorRepresentative {
			by = "representative"
		}
		list[i] = Acknowledgement{Document: r.DocumentExtID, Requires: r.Requires, At: r.AcknowledgedAt.UTC(), By: by, Level: r.Level}
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("ingest: case body: %w", err)
	}
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	m["acknowledgements"] = raw
	return json.Marshal(m)
}
