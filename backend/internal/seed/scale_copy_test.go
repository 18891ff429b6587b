package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/errands"
	"minside/backend/internal/keys"
	"minside/backend/internal/messages"
	"minside/backend/internal/notify"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// TestCopyWritesWhatInsertsWrite seeds the same synthetic citizens on SQLite (multi-row INSERTs)
// and PostgreSQL (COPY) and compares the row count of every table and the full content of a sample
// of citizens, ids aside (they are random per run).
func TestCopyWritesWhatInsertsWrite(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		t.Log("MINSIDE_TEST_POSTGRES_DSN is not set: COPY is PostgreSQL's path (CI sets it)")
		return
	}
	const n = 60
	opts := ScaleOptions{Batch: 25, Seed: 7}
	seedBoth := func(db *store.DB) (Summary, map[string]int, []string) {
		s, _ := newSeeder(t, db)
		sum, err := s.Citizens(context.Background(), n, opts, testNow)
		if err != nil {
			t.Fatalf("%s: %v", db.Kind, err)
		}
		return sum, tableCounts(t, db), []string{citizenSample(t, db, 0), citizenSample(t, db, 31), citizenSample(t, db, n-1)}
	}
	liteSum, liteCounts, liteSample := seedBoth(storetest.SQLite(t))
	pgSum, pgCounts, pgSample := seedBoth(storetest.Postgres(t))

	liteSum.Elapsed, pgSum.Elapsed = 0, 0
	if liteSum != pgSum {
		t.Errorf("summary: sqlite %+v, postgres %+v", liteSum, pgSum)
	}
	for table, want := range liteCounts {
		if pgCounts[table] != want {
			t.Errorf("%s: %d rows on postgres, %d on sqlite", table, pgCounts[table], want)
		}
	}
	busy := (n + scaleErrandEvery - 1) / scaleErrandEvery // citizens 0, 5, 10, …: an errand, a task, a draft, two messages
	if liteCounts["citizens"] != n || liteCounts["changes"] != n*(scaleCases+scaleBookings+1+scaleNotifications)+busy*5+len(tileSpecs) {
		t.Errorf("counts %v: not what %d citizens generate", liteCounts, n)
	}
	if liteCounts["errands"] != busy || liteCounts["errand_agencies"] != 2*busy || liteCounts["case_steps"] != busy ||
		liteCounts["case_documents"] != busy || liteCounts["tasks"] != 2*busy || liteCounts["messages"] != 2*busy {
		t.Errorf("counts %v: not one errand citizen in %d", liteCounts, scaleErrandEvery)
	}
	for i := range liteSample {
		if liteSample[i] != pgSample[i] {
			t.Errorf("sample %d differs\nsqlite:   %s\npostgres: %s", i, liteSample[i], pgSample[i])
		}
	}
}

// TestParallelWritersWriteTheSameCitizens: on PostgreSQL batches are written by several writers at
// once and commit in any order, yet the same seed gives the same citizens whatever the batch size
// and the number of writers.
func TestParallelWritersWriteTheSameCitizens(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		t.Log("MINSIDE_TEST_POSTGRES_DSN is not set: parallel writers are PostgreSQL's path (CI sets it)")
		return
	}
	const n = 45
	seedWith := func(opts ScaleOptions) (map[string]int, []string) {
		db := storetest.Postgres(t)
		s, _ := newSeeder(t, db)
		sum, err := s.Citizens(context.Background(), n, opts, testNow)
		if err != nil || sum.Citizens != n {
			t.Fatalf("%+v: %+v, %v", opts, sum, err)
		}
		return tableCounts(t, db), []string{citizenSample(t, db, 0), citizenSample(t, db, 22), citizenSample(t, db, n-1)}
	}
	oneCounts, oneSample := seedWith(ScaleOptions{Batch: n, Writers: 1, Seed: 3})
	manyCounts, manySample := seedWith(ScaleOptions{Batch: 4, Writers: 3, Seed: 3})
	if !maps.Equal(oneCounts, manyCounts) {
		t.Errorf("counts: one writer %v, three writers %v", oneCounts, manyCounts)
	}
	for i := range oneSample {
		if oneSample[i] != manySample[i] {
			t.Errorf("sample %d differs\none writer:    %s\nthree writers: %s", i, oneSample[i], manySample[i])
		}
	}
}

// tableCounts counts the rows of every table the scale generator writes.
func tableCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range []string{"agencies", "facilities", "access_points", "tiles", "citizens", "relations", "cases", "case_events", "agency_records",
		"bookings", "keys", "key_windows", "key_access_points", "notifications", "texts", "changes",
		"errands", "errand_agencies", "case_steps", "case_documents", "tasks", "messages"} {
		n, err := db.NewSelect().TableExpr(table).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		counts[table] = int(n)
	}
	return counts
}

// citizenSample renders everything stored for synthetic citizen i with ids replaced by what
// identifies a row across databases (external ids, agency slugs), times in UTC.
func citizenSample(t *testing.T, db *store.DB, i int) string {
	t.Helper()
	ctx := context.Background()
	ext := fmt.Sprintf(scalePrefix+"%09d", i)
	var key keys.Key
	if err := db.NewSelect().Model(&key).Where("external_id = ?", ext+"-key").Scan(ctx); err != nil {
		t.Fatalf("%s: key of %s: %v", db.Kind, ext, err)
	}
	var c citizens.Citizen
	var cs []cases.Case
	var evs []cases.Event
	var bs []bookings.Booking
	var ws []keys.Window
	var doors []keys.KeyAccessPoint
	var ns []notify.Notification
	var ags []agency.Agency
	var ts []texts.Text
	var chs []changes.Change
	var es []errands.Errand
	var tks []tasks.Task
	var ms []messages.Message
	for _, q := range []*bun.SelectQuery{
		db.NewSelect().Model(&es).Where("citizen_id = ?", key.CitizenID),
		db.NewSelect().Model(&tks).Where("citizen_id = ?", key.CitizenID).Order("external_id"),
		db.NewSelect().Model(&ms).Where("citizen_id = ?", key.CitizenID).Order("created_at"),
		db.NewSelect().Model(&c).Where("id = ?", key.CitizenID),
		db.NewSelect().Model(&cs).Where("citizen_id = ?", key.CitizenID).Order("external_id"),
		db.NewSelect().Model(&bs).Where("citizen_id = ?", key.CitizenID).Order("external_id"),
		db.NewSelect().Model(&ws).Where("key_id = ?", key.ID),
		db.NewSelect().Model(&doors).Where("key_id = ?", key.ID),
		db.NewSelect().Model(&ns).Where("citizen_id = ?", key.CitizenID).Order("created_at", "category"),
		db.NewSelect().Model(&ags),
		db.NewSelect().Model(&chs).Where("citizen_id = ?", key.CitizenID).Order("seq"),
	} {
		if err := q.Scan(ctx); err != nil {
			t.Fatalf("%s: sample of %s: %v", db.Kind, ext, err)
		}
	}
	names := map[string]string{key.ID: "key", key.CitizenID: "citizen"}
	for _, a := range ags {
		names[a.ID] = a.Slug
	}
	caseIDs := []string{}
	for _, k := range cs {
		names[k.ID] = k.ExternalID
		caseIDs = append(caseIDs, k.ID)
	}
	if err := db.NewSelect().Model(&evs).Where("case_id IN (?)", bun.In(caseIDs)).Order("occurred_at", "external_id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	owners := []string{}
	for _, e := range evs {
		names[e.ID] = names[e.CaseID] + "/" + e.ExternalID
		owners = append(owners, e.ID)
	}
	for _, b := range bs {
		names[b.ID] = b.ExternalID
	}
	for j, nt := range ns {
		names[nt.ID] = fmt.Sprintf("notification-%d", j)
	}
	for _, e := range es {
		names[e.ID] = e.ExternalID
	}
	for _, x := range tks {
		names[x.ID] = x.ExternalID
	}
	for j, m := range ms {
		names[m.ID] = fmt.Sprintf("message-%d", j)
	}
	for id := range names {
		owners = append(owners, id)
	}
	if err := db.NewSelect().Model(&ts).Where("owner_id IN (?)", bun.In(owners)).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	textByOwner := map[string]string{}
	for _, x := range ts {
		textByOwner[fmt.Sprintf("%s %s %s %s", x.OwnerKind, names[x.OwnerID], x.Field, x.Lang)] = x.Value
	}
	name := func(id *string) {
		if got, ok := names[*id]; ok {
			*id = got
		} else {
			*id = "unknown " + *id
		}
	}
	utc := func(ts ...*time.Time) {
		for _, x := range ts {
			if x != nil {
				*x = x.UTC()
			}
		}
	}
	name(&c.ID)
	utc(&c.BirthDate, &c.CreatedAt, &c.UpdatedAt, c.LastLoginAt)
	c.BirthDate = time.Date(c.BirthDate.Year(), c.BirthDate.Month(), c.BirthDate.Day(), 0, 0, 0, 0, time.UTC)
	name(&key.ID)
	name(&key.CitizenID)
	name(&key.AgencyID)
	key.FacilityID = ""
	utc(&key.ValidFrom, &key.ValidUntil, &key.CreatedAt, &key.UpdatedAt)
	for j := range cs {
		name(&cs[j].ID)
		name(&cs[j].CitizenID)
		name(&cs[j].AgencyID)
		if cs[j].ErrandID != nil {
			name(cs[j].ErrandID)
		}
		utc(cs[j].NextActionDue, &cs[j].CreatedAt, &cs[j].UpdatedAt)
	}
	for j := range es {
		name(&es[j].ID)
		name(&es[j].CitizenID)
		name(&es[j].AgencyID)
		utc(&es[j].CreatedAt, &es[j].UpdatedAt)
	}
	for j := range tks {
		name(&tks[j].ID)
		name(&tks[j].CitizenID)
		name(&tks[j].AgencyID)
		if tks[j].CaseID != nil {
			name(tks[j].CaseID)
		}
		utc(tks[j].DueAt, tks[j].ExpiresAt, &tks[j].CreatedAt, &tks[j].UpdatedAt)
	}
	for j := range ms {
		name(&ms[j].ID)
		name(&ms[j].SubjectID)
		name(&ms[j].CitizenID)
		name(&ms[j].AgencyID)
		if ms[j].AuthorID != nil {
			name(ms[j].AuthorID)
		}
		utc(&ms[j].CreatedAt, ms[j].SeenAt)
	}
	for j := range evs {
		name(&evs[j].ID)
		name(&evs[j].CaseID)
		utc(&evs[j].OccurredAt, &evs[j].CreatedAt)
	}
	for j := range bs {
		name(&bs[j].ID)
		name(&bs[j].CitizenID)
		name(&bs[j].AgencyID)
		utc(&bs[j].StartsAt, &bs[j].EndsAt, bs[j].CancellableUntil, bs[j].CancelledAt, &bs[j].CreatedAt, &bs[j].UpdatedAt)
	}
	for j := range ws {
		ws[j].ID = ""
		name(&ws[j].KeyID)
		utc(&ws[j].StartsAt, &ws[j].EndsAt)
	}
	for j := range doors {
		name(&doors[j].KeyID)
		doors[j].AccessPointID = ""
	}
	for j := range ns {
		name(&ns[j].ID)
		name(&ns[j].CitizenID)
		utc(ns[j].ReadAt, &ns[j].CreatedAt)
	}
	feed := []string{}
	for _, ch := range chs {
		feed = append(feed, fmt.Sprintf("%s %s %s %s", ch.Kind, names[ch.ObjectID], ch.Op, ch.CreatedAt.UTC().Format(time.RFC3339Nano)))
	}
	out, err := json.Marshal(map[string]any{"citizen": c, "cases": cs, "events": evs, "bookings": bs, "key": key,
		"windows": ws, "doors": doors, "notifications": ns, "texts": textByOwner, "feed": feed,
		"errands": es, "tasks": tks, "messages": ms})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
