package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/agency"
	"minside/backend/internal/citizens"
	"minside/backend/internal/ingest"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

// bulkService is the ingest service on db with an agency of its own.
func bulkService(t *testing.T, db *store.DB) (*ingest.Service, string) {
	t.Helper()
	p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	a, _, _, err := agency.NewService(db, nil).Create(context.Background(), "byggesak", "Byggesak", "")
	if err != nil {
		t.Fatal(err)
	}
	env, err := suggest.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	return ingest.NewService(db, citizens.NewDirectory(p, true), true, nil).WithRules(env), a.ID
}

// bulk sends lines and returns every line's result, and the statements it took (every one is a
// round trip on PostgreSQL: BEGIN and COMMIT, each INSERT, each COPY).
func bulk(t *testing.T, svc *ingest.Service, agencyID string, lines []byte) ([]ingest.LineResult, int64) {
	t.Helper()
	ctx, statements := store.CountRoundTrips(context.Background())
	var out []ingest.LineResult
	if err := svc.Bulk(ctx, ingest.Request{AgencyID: agencyID}, bytes.NewReader(lines), func(r ingest.LineResult) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out, statements.Count()
}

func countRows(t *testing.T, db *store.DB, table, where string) int {
	t.Helper()
	q := db.NewSelect().Table(table)
	if where != "" {
		q = q.Where(where)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestBulkWritesABatchInAFewStatements: a batch of 200 new cases for 20 people costs a dozen
// statements, one per table, not a dozen per case (each statement is a round trip on PostgreSQL),
// and every row of every case is there.
func TestBulkWritesABatchInAFewStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, agencyID := bulkService(t, db)
		var lines bytes.Buffer
		for i := range 200 {
			rec := caseRecord(demoPID(t, born, 300+i%20), 1, "received")
			line, err := json.Marshal(map[string]any{"kind": "cases", "externalId": fmt.Sprintf("case-%d", i), "record": rec})
			if err != nil {
				t.Fatal(err)
			}
			lines.Write(append(line, '\n'))
		}
		got, statements := bulk(t, svc, agencyID, lines.Bytes())
		for _, r := range got {
			if r.Err != nil || r.Outcome != ingest.Created {
				t.Fatalf("line %d: %v %v", r.Line, r.Outcome, r.Err)
			}
		}
		if statements > 16 {
			t.Errorf("%d statements for a batch of 200 new cases, want at most 16", statements)
		}
		for table, want := range map[string]int{
			"cases": 200, "case_events": 200, "case_documents": 200, "citizens": 20, "changes": 200,
			"audit_log": 200, "agency_records": 200, "texts": 200 * 5,
		} {
			if n := countRows(t, db, table, ""); n != want {
				t.Errorf("%s: %d rows, want %d", table, n, want)
			}
		}
	})
}

// TestBulkLinesOfOneRecordInOneBatch: lines that create, update, repeat and contradict one record
// within one batch are decided one after the other, as if each were sent alone.
func TestBulkLinesOfOneRecordInOneBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, agencyID := bulkService(t, db)
		number := demoPID(t, born, 320)
		updated := caseRecord(number, 2, "awaiting_citizen")
		updated["events"] = []map[string]any{{"externalId": "ev-2", "occurredAt": "2026-11-21T09:00:00Z", "title": map[string]string{"nb": "Nabovarsel"}}}
		var lines bytes.Buffer
		for _, l := range []struct {
			id  string
			rec map[string]any
		}{
			{"x", caseRecord(number, 1, "received")},
			{"y", caseRecord(number, 1, "received")},
			{"x", updated},
			{"x", updated},
			{"x", caseRecord(number, 1, "received")},
		} {
			b, err := json.Marshal(map[string]any{"kind": "cases", "externalId": l.id, "record": l.rec})
			if err != nil {
				t.Fatal(err)
			}
			lines.Write(append(b, '\n'))
		}
		got, _ := bulk(t, svc, agencyID, lines.Bytes())
		want := []ingest.Outcome{ingest.Created, ingest.Created, ingest.Updated, ingest.Unchanged, 0}
		for i, r := range got {
			if r.Outcome != want[i] || (i < 4) != (r.Err == nil) {
				t.Errorf("line %d: %v %v, want %v", r.Line, r.Outcome, r.Err, want[i])
			}
		}
		st, err := svc.Get(context.Background(), ingest.Request{AgencyID: agencyID}, ingest.KindCases, "x")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Status string `json:"status"`
			Events []struct {
				ExternalID string `json:"externalId"`
			} `json:"events"`
		}
		if err := json.Unmarshal(st.Body, &body); err != nil {
			t.Fatal(err)
		}
		if st.Version != 2 || body.Status != "awaiting_citizen" || len(body.Events) != 2 {
			t.Fatalf("stored x: version %d, %s", st.Version, st.Body)
		}
		for table, where := range map[string]string{
			"cases":       "version = 2 AND status = 'awaiting_citizen'",
			"case_events": "", // ev-1 from the first version, ev-2 from the second: 2 for x, 1 for y
			"changes":     "kind = 'case'",
			"audit_log":   "action = 'write'",
			"outbox":      "topic = 'notify'",
		} {
			want := map[string]int{"cases": 1, "case_events": 3, "changes": 3, "audit_log": 3, "outbox": 1}[table]
			if n := countRows(t, db, table, where); n != want {
				t.Errorf("%s where %q: %d rows, want %d", table, where, n, want)
			}
		}
	})
}

// TestBulkEveryKindAndALineRefusedAfterWriting: one line of every kind in one batch (relations
// need an agency with authority over them, not this one) is applied with the collected rows; a key refused after its person was ensured (its booking is unknown)
// sends the batch again line by line, which undoes that line alone, its person included.
func TestBulkEveryKindAndALineRefusedAfterWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, agencyID := bulkService(t, db)
		number, other, lonely := demoPID(t, born, 321), demoPID(t, born, 322), demoPID(t, born, 323)
		records := recordsOfEveryKind(t, number, other)
		orphan := recordsOfEveryKind(t, lonely, other)["keys"]
		orphan["bookingExternalId"] = "missing"
		var lines bytes.Buffer
		add := func(kind, id string, rec map[string]any) {
			b, err := json.Marshal(map[string]any{"kind": kind, "externalId": id, "record": rec})
			if err != nil {
				t.Fatal(err)
			}
			lines.Write(append(b, '\n'))
		}
		kinds := slices.DeleteFunc(ingest.Kinds(), func(k ingest.Kind) bool { return k == ingest.KindRelations })
		for _, kind := range kinds {
			add(string(kind), "every-"+string(kind), records[string(kind)])
		}
		add("keys", "orphan", orphan)
		got, _ := bulk(t, svc, agencyID, lines.Bytes())
		for i, r := range got {
			if i < len(kinds) && (r.Err != nil || r.Outcome != ingest.Created) {
				t.Errorf("line %d (%s): %v %v", r.Line, r.Kind, r.Outcome, r.Err)
			}
		}
		last := got[len(got)-1]
		if last.Err == nil || !strings.Contains(fmt.Sprint(last.Err), "invalid") {
			t.Fatalf("the orphan key: %v %v", last.Outcome, last.Err)
		}
		p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "citizens", fmt.Sprintf("pid_hash = '%s'", p.Pseudonym(lonely))); n != 0 {
			t.Error("the person of the refused line was kept")
		}
		if n := countRows(t, db, "agency_records", ""); n != len(kinds) {
			t.Errorf("%d agency records, want %d", n, len(kinds))
		}
	})
}
