package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"minside/backend/internal/store"
)

// refusePoison makes the database itself refuse one case (a trigger raises on insert), a failure
// no validator in front of the database can foresee.
func refusePoison(t *testing.T, api *agencyAPI) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{`CREATE TRIGGER refuse_poison BEFORE INSERT ON cases WHEN NEW.external_id = 'poison'
		BEGIN SELECT RAISE(ABORT, 'poisoned line'); END`}
	if api.db().Kind == store.Postgres {
		stmts = []string{
			`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.external_id = 'poison' THEN RAISE EXCEPTION 'poisoned line'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER refuse_poison BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
		}
	}
	for _, q := range stmts {
		if _, err := api.db().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAgencyBulkIsolatesALineTheDatabaseRefuses: in 400 lines (two batches), one line the database
// refuses and one with a NUL in its title get answers of their own; every other line is applied
// exactly as if it were alone (its case, its changes row, its audit row), in the refused line's
// batch too, and the person the refused line would have created is created by the next line.
func TestAgencyBulkIsolatesALineTheDatabaseRefuses(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		refusePoison(t, api)
		key := api.newAgency("byggesak")
		first, second := demoPID(t, born, 430), demoPID(t, born, 431)
		var lines []any
		for i := 1; i <= 400; i++ {
			rec, id := caseRecord(first, 1, "received"), fmt.Sprintf("c-%d", i)
			switch i {
			case 150:
				rec["title"] = map[string]string{"nb": "Byggesøknad\x00garasje"}
			case 250:
				rec["pid"], id = second, "poison"
			case 251:
				rec["pid"] = second
			}
			lines = append(lines, map[string]any{"kind": "cases", "externalId": id, "record": rec})
		}
		r := api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", ndjson(t, lines...))
		got := bulkLines(t, r)
		if len(got) != 400 {
			t.Fatalf("%d answers for 400 lines", len(got))
		}
		created := 0
		for i, l := range got {
			switch {
			case l.Line != i+1:
				t.Fatalf("answer %d is for line %d", i+1, l.Line)
			case l.Line == 250:
				if l.Status != http.StatusInternalServerError || l.Code != "internal" || l.RequestID == "" {
					t.Errorf("the refused line: %+v", l)
				}
			case l.Line == 150:
				// Refused by the database today, by the text validator once it knows NUL.
				if l.Status != http.StatusInternalServerError && l.Status != http.StatusUnprocessableEntity {
					t.Errorf("the NUL line: %+v", l)
				}
			case l.Status != http.StatusCreated:
				t.Errorf("line %d: %+v", l.Line, l)
			default:
				created++
			}
		}
		if created != 398 {
			t.Fatalf("%d lines created, want 398", created)
		}
		for table, where := range map[string]string{
			"cases": "", "agency_records": "kind = 'cases'", "changes": "kind = 'case'", "audit_log": "action = 'write'",
		} {
			if n := api.count(table, where); n != created {
				t.Errorf("%s: %d rows for %d created cases", table, n, created)
			}
		}
		if n := api.count("cases", "external_id IN ('poison', 'c-150')"); n != 0 {
			t.Errorf("%d refused cases were stored", n)
		}
		if n := api.count("cases", "external_id = 'c-251'"); n != 1 {
			t.Error("the line after the refused one, for the person it would have created, was not applied")
		}
	})
}
