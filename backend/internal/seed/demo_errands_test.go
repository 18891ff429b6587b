package seed

import (
	"context"
	"testing"

	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/messages"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// Ola's garage is one errand of three agencies' cases, with a third-party wait, and the agencies'
// records say so (the seed registers them checked like a PUT).
func TestDemoGarageErrand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newSeeder(t, db)
		if _, _, err := s.Demo(ctx, testNow); err != nil {
			t.Fatal(err)
		}
		var e errands.Errand
		if err := db.NewSelect().Model(&e).Where("external_id = ?", garageErrand).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		var agencies []string
		if err := db.NewSelect().Table("cases").ColumnExpr("DISTINCT a.slug").Join("JOIN agencies a ON a.id = cases.agency_id").
			Where("cases.errand_id = ? AND cases.citizen_id = ?", e.ID, e.CitizenID).Scan(ctx, &agencies); err != nil {
			t.Fatal(err)
		}
		if len(agencies) != 3 || e.Status != cases.StatusAwaitingCitizen {
			t.Errorf("errand of %v, status %s; want three agencies, awaiting_citizen", agencies, e.Status)
		}
		n, err := db.NewSelect().Model((*errands.Step)(nil)).Where("waiting_for = ?", errands.WaitingThirdParty).Count(ctx)
		if err != nil || n != 5 { // the heritage office and the plumber for Ola, the neighbours for Kari, a board for Berit and a council for Máret
			t.Errorf("third-party waits: %d %v", n, err)
		}
		n, err = db.NewSelect().Table("agency_records").Where("kind = 'cases' AND CAST(body AS TEXT) LIKE ?", "%"+garageErrand+"%").Count(ctx)
		if err != nil || n != 3 {
			t.Errorf("case records naming the errand: %d %v", n, err)
		}
		// The thread on the errand: Ola's question to the water agency (not the lead) and its answer.
		var thread []messages.Message
		if err := db.NewSelect().Model(&thread).Where("subject_kind = ? AND subject_id = ?", messages.SubjectErrand, e.ID).Order("created_at").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(thread) != 2 || thread[0].Direction != messages.FromCitizen || thread[1].Direction != messages.FromAgency ||
			thread[0].AgencyID != thread[1].AgencyID || thread[0].AgencyID == e.AgencyID {
			t.Errorf("the garage thread: %+v", thread)
		}
		// One sensitive demo case, Ingrid's memory assessment, and it is the agency's record too.
		n, err = db.NewSelect().Model((*cases.Case)(nil)).Where("sensitive = ?", true).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("sensitive demo cases: %d %v", n, err)
		}
		n, err = db.NewSelect().Table("agency_records").Where("kind = 'cases' AND (CAST(body AS TEXT) LIKE ? OR CAST(body AS TEXT) LIKE ?)", `%"sensitive":true%`, `%"sensitive": true%`).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("sensitive case records: %d %v", n, err)
		}
	})
}
