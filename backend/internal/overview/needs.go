package overview

import (
	"context"
	"slices"

	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/represent"
)

// NeedsAction counts what needs the person of view: cases awaiting them and bookings about to
// start, in the areas the view allows (GET /api/v1/me, "represents[].needsAction").
func (s *Service) NeedsAction(ctx context.Context, view represent.View) (int, error) {
	if !validID(view.SubjectID) {
		return 0, nil
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	var rows []countRow
	if err := s.db.NewRaw(`SELECT citizen_id, area, COUNT(*) AS n FROM cases WHERE citizen_id = ? AND status = ? GROUP BY citizen_id, area
UNION ALL
SELECT citizen_id, area, COUNT(*) AS n FROM bookings WHERE citizen_id = ? AND status = ? AND starts_at > ? AND starts_at <= ? GROUP BY citizen_id, area`,
		view.SubjectID, cases.StatusAwaitingCitizen, view.SubjectID, bookings.StatusConfirmed, now, now.Add(attentionWindow)).Scan(ctx, &rows); err != nil {
		return 0, fail("needs action", err)
	}
	n := 0
	for _, r := range rows {
		if view.Areas == nil || slices.Contains(view.Areas, r.Area) {
			n += r.N
		}
	}
	return n, nil
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
