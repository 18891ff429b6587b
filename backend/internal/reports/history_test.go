package reports_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"minside/backend/internal/reports"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// The reporter sees every status the agency gave, in order, each with its note in their language;
// the same change sent again adds no step.
func TestReportHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var created *reports.Created
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			created, err = f.svc.CreateTx(ctx, tx, reports.Reporter{Channel: reports.ChannelAnonymous},
				reports.NewReport{Service: "street-light", Description: "Mørk lykt", Address: "Storgata 1", Answers: map[string][]string{"fault": {"dark"}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		id, viewer := created.Report.ID, reports.Viewer{Token: created.FollowToken}
		v, err := f.svc.Get(ctx, viewer, id, "nb")
		if err != nil || len(v.History) != 0 {
			t.Fatalf("a new report's history: %+v, %v", v, err)
		}
		req := reports.AgencyRequest{AgencyID: f.service.AgencyID}
		closed := reports.StatusChange{Status: reports.StatusClosed, Reason: map[string]string{"nb": "Privat grunn", "en": "Private ground"}}
		for _, ch := range []reports.StatusChange{{Status: reports.StatusInProgress}, closed, closed} {
			if _, _, err := f.svc.SetStatus(ctx, req, id, ch); err != nil {
				t.Fatal(err)
			}
		}
		v, err = f.svc.Get(ctx, viewer, id, "en")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.History) != 2 || v.History[0].Status != reports.StatusInProgress || v.History[0].Reason != "" ||
			v.History[1].Status != reports.StatusClosed || v.History[1].Reason != "Private ground" || v.History[1].At.Before(v.History[0].At) {
			t.Fatalf("history: %+v", v.History)
		}
		mine, err := f.svc.PublicReport(ctx, id, "nb")
		if err != nil || mine.StatusReason != "Privat grunn" {
			t.Fatalf("the latest reason stays on the report: %+v, %v", mine, err)
		}
	})
}
