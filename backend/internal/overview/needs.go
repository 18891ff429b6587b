package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/represent"
	"minside/backend/internal/tasks"
)

// NeedsAction counts what needs the person of view: cases awaiting them and bookings about to
// start, in the areas the view allows.
func (s *Service) NeedsAction(ctx context.Context, view represent.View) (int, error) {
	n, err := s.NeedsActions(ctx, []represent.View{view})
	if err != nil {
		return 0, err
	}
	return n[0], nil
}

// NeedsActions is NeedsAction of several views in one query (GET /api/v1/me,
// "represents[].needsAction").
func (s *Service) NeedsActions(ctx context.Context, views []represent.View) ([]int, error) {
	out := make([]int, len(views))
	var ids []string
	for _, v := range views {
		if validID(v.SubjectID) {
			ids = append(ids, v.SubjectID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	rows, err := s.needsCounts(ctx, ids, utc(s.now()))
	if err != nil {
		return nil, fail("needs action", err)
	}
	for i, v := range views {
		for _, r := range rows {
			if r.CitizenID == v.SubjectID && (v.Areas == nil || slices.Contains(v.Areas, r.Area)) {
				out[i] += r.N
			}
		}
	}
	return out, nil
}

// needsCountsQuery counts, per person and area, the cases awaiting them, the bookings about to
// start, the open tasks and drafts, and the documents waiting to be acknowledged or signed.
const needsCountsQuery = `SELECT citizen_id, area, COUNT(*) AS n FROM cases WHERE citizen_id IN (?) AND status = ? GROUP BY citizen_id, area
UNION ALL
SELECT citizen_id, area, COUNT(*) AS n FROM bookings WHERE citizen_id IN (?) AND status = ? AND starts_at > ? AND starts_at <= ? GROUP BY citizen_id, area
UNION ALL
SELECT citizen_id, area, COUNT(*) AS n FROM tasks WHERE citizen_id IN (?) AND status = ? AND (expires_at IS NULL OR expires_at > ?) GROUP BY citizen_id, area
UNION ALL
SELECT c.citizen_id, c.area, COUNT(*) AS n FROM case_documents d JOIN cases c ON c.id = d.case_id WHERE c.citizen_id IN (?) AND d.requires <> ''
 AND NOT EXISTS (SELECT 1 FROM document_acknowledgements k WHERE k.case_id = d.case_id AND k.document_ext_id = d.external_id) GROUP BY c.citizen_id, c.area`

func needsCountsArgs(ids []string, now time.Time) []any {
	return []any{inIDs(ids), cases.StatusAwaitingCitizen, inIDs(ids), bookings.StatusConfirmed, now, now.Add(attentionWindow),
		inIDs(ids), tasks.StatusOpen, now, inIDs(ids)}
}

func (s *Service) needsCounts(ctx context.Context, ids []string, now time.Time) ([]countRow, error) {
	var rows []countRow
	err := s.db.NewRaw(needsCountsQuery, needsCountsArgs(ids, now)...).Scan(ctx, &rows)
	return rows, err
}

// Audience lists whose changes the viewer hears about on the live stream: the same people the
// lists and the changes feed show (tiles, everyone's, come too).
func (s *Service) Audience(ctx context.Context, v Viewer) ([]string, error) {
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, err := s.resolve(ctx, v, s.now())
	if err != nil {
		return nil, err
	}
	return sc.ids(), nil
}
