package ingest

import (
	"context"
	"fmt"

	"minside/backend/internal/errands"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// errandLinks are the errands a case write touches: the one it is attached to now and the one it
// was attached to before (nil: none); both have their merged status refreshed after the write.
type errandLinks struct {
	now, before *string
}

// errandLinks resolves and checks the errand the case names (errandOfCase), and finds the one the
// stored case was on, read only when the stored record named one (a plain case costs no statement).
func (p *parsedCase) errandLinks(ctx context.Context, w *writer, prev *record, before CaseRecord, citizenID string) (errandLinks, error) {
	var l errandLinks
	if p.rec.Errand != nil {
		id, err := errandOfCase(ctx, w, *p.rec.Errand, citizenID)
		if err != nil {
			return l, err
		}
		l.now = &id
	}
	if prev != nil && before.Errand != nil {
		id, err := storedErrandID(ctx, w, prev.ObjectID)
		if err != nil {
			return l, err
		}
		if id != "" {
			l.before = &id
		}
	}
	return l, nil
}

// refresh recomputes the touched errands once the case is written (a bulk batch's rows first).
func (l errandLinks) refresh(ctx context.Context, w *writer) error {
	if l.now == nil && l.before == nil {
		return nil
	}
	if w.rows != nil {
		if err := w.rows.flush(ctx, w.tx); err != nil {
			return err
		}
	}
	for _, id := range []*string{l.now, l.before} {
		if id == nil || (id == l.before && l.now != nil && *l.now == *id) {
			continue
		}
		if err := errands.Refresh(ctx, w.tx, *id, w.now); err != nil {
			return err
		}
	}
	return nil
}

// saveSteps replaces the case's next steps; hadSteps says the stored version had some to remove
// (so a case that never had steps costs no statement).
func (p *parsedCase) saveSteps(ctx context.Context, w *writer, caseID string, hadSteps bool) error {
	if !hadSteps && len(p.rec.NextSteps) == 0 {
		return nil
	}
	if w.rows != nil { // the case row must exist before its steps
		if err := w.rows.flush(ctx, w.tx); err != nil {
			return err
		}
	}
	if hadSteps {
		if err := deleteSteps(ctx, w, caseID); err != nil {
			return err
		}
	}
	if len(p.rec.NextSteps) == 0 {
		return nil
	}
	rows := make([]errands.Step, len(p.rec.NextSteps))
	var txt []texts.Text
	for i, st := range p.rec.NextSteps {
		rows[i] = errands.Step{ID: store.NewID(), CaseID: caseID, Position: i, WaitingFor: st.WaitingFor, DueAt: p.stepsDue[i], CreatedAt: w.now}
		txt = append(txt, textRows("case_step", rows[i].ID, texts.Fields{"text": st.Text, "party": st.Party})...)
	}
	if _, err := w.tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: case steps: %w", err)
	}
	if _, err := w.tx.NewInsert().Model(&txt).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: case step texts: %w", err)
	}
	return nil
}

// deleteSteps removes a case's next steps and their texts.
func deleteSteps(ctx context.Context, w *writer, caseID string) error {
	var ids []string
	if err := w.tx.NewSelect().Model((*errands.Step)(nil)).Column("id").Where("case_id = ?", caseID).Scan(ctx, &ids); err != nil {
		return fmt.Errorf("ingest: case steps: %w", err)
	}
	if err := texts.Delete(ctx, w.tx, "case_step", ids...); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*errands.Step)(nil)).Where("case_id = ?", caseID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: case steps: %w", err)
	}
	return nil
}
