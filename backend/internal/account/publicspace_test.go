package account_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/account"
	"minside/backend/internal/files"
	"minside/backend/internal/ideas"
	"minside/backend/internal/reports"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
)

// publicSpace is what the person left in public space: a report of theirs with a photo and the
// agency's reason, a report of their helper's they follow, an idea of theirs with a photo and
// a reason (supported by their child), and their helper's idea they and the child support.
type publicSpace struct {
	myReport, theirReport, myIdea, theirIdea string
	reportPhotoKey, ideaPhotoKey             string
}

func addPublicSpace(t *testing.T, f *fixture, fs files.Store) publicSpace {
	t.Helper()
	ctx := context.Background()
	db := f.db
	var ps publicSpace
	svc := &reports.ReportService{ID: store.NewID(), AgencyID: f.agency, Code: "pothole", Group: "roads", Keywords: []string{}, Photo: reports.PhotoOptional,
		Place: reports.PlaceRequired, Questions: []reports.Question{}, Active: true, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, svc))
	must(t, texts.Save(ctx, db, reports.TextOwnerService, svc.ID, texts.Fields{"name": {"nb": "Hull i veien"}}))
	lat, lon := int64(59_913_000), int64(10_752_000)
	me, helper := f.me, f.helper
	mine := &reports.Report{ID: store.NewID(), ServiceID: svc.ID, AgencyID: f.agency, CitizenID: &me, Channel: reports.ChannelCitizen,
		Description: "Dypt hull ved bussholdeplassen.", LatMicro: &lat, LonMicro: &lon, Address: "Storgata 1", Answers: map[string]any{},
		Status: reports.StatusInProgress, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}
	theirs := &reports.Report{ID: store.NewID(), ServiceID: svc.ID, AgencyID: f.agency, CitizenID: &helper, Channel: reports.ChannelCitizen,
		Description: "Hjelperens egne ord.", Address: "Storgata 3", Answers: map[string]any{}, Status: reports.StatusReceived, CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, mine))
	must(t, insert(db, theirs))
	ps.myReport, ps.theirReport = mine.ID, theirs.ID
	must(t, texts.Save(ctx, db, "report", mine.ID, texts.Fields{"statusReason": {"nb": "Asfalteres i uke 12."}}))
	photo := &reports.Photo{ID: store.NewID(), ReportID: mine.ID, ContentType: "image/jpeg", Size: 3000, Width: 10, Height: 10}
	photo.StorageKey = "report-photos/" + photo.ID
	must(t, fs.Put(ctx, photo.StorageKey, bytes.NewReader(make([]byte, photo.Size)), photo.Size, photo.ContentType))
	must(t, insert(db, photo))
	ps.reportPhotoKey = photo.StorageKey
	must(t, insert(db, &reports.Follower{ReportID: theirs.ID, CitizenID: f.me, CreatedAt: t0}))

	myIdea := &ideas.Idea{ID: store.NewID(), AuthorID: f.me, District: "Stovner", Area: "transport", Title: "Lys i tunnelen",
		Body: "Tunnelen er mørk.", Status: ideas.StatusAssessed, SupportCount: 1, CreatedAt: t0, UpdatedAt: t0}
	key, typ, size := "ideas/"+myIdea.ID, "image/png", int64(1500)
	myIdea.PhotoKey, myIdea.PhotoType, myIdea.PhotoSize = &key, &typ, &size
	must(t, fs.Put(ctx, key, bytes.NewReader(make([]byte, size)), size, typ))
	must(t, insert(db, myIdea))
	must(t, texts.Save(ctx, db, ideas.TextOwner, myIdea.ID, texts.Fields{ideas.FieldStatusReason: {"nb": "Vi måler lyset i januar."}}))
	theirIdea := &ideas.Idea{ID: store.NewID(), AuthorID: f.helper, District: "Grorud", Area: "environment", Title: "Flere benker",
		Body: "Hjelperens idé.", Status: ideas.StatusReceived, SupportCount: 2, CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, theirIdea))
	ps.myIdea, ps.theirIdea, ps.ideaPhotoKey = myIdea.ID, theirIdea.ID, key
	must(t, insert(db, &ideas.Support{IdeaID: myIdea.ID, CitizenID: f.child, CreatedAt: t0}))
	must(t, insert(db, &ideas.Support{IdeaID: theirIdea.ID, CitizenID: f.me, CreatedAt: t0.Add(time.Minute)}))
	must(t, insert(db, &ideas.Support{IdeaID: theirIdea.ID, CitizenID: f.child, CreatedAt: t0}))
	return ps
}

// The export holds the person's reports (service, words, place, status with the agency's
// reason, photo links) and the one they follow (without the other person's words), their idea
// (reason, support count, photo link) and the one they support; the readable page says it in
// words, without ids or links.
func TestExportHoldsReportsAndIdeas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		ps := addPublicSpace(t, f, openDisk(t))
		sign := func(id string, now time.Time) (string, time.Time) {
			return "https://portal.example" + reports.PhotoLinkPath + id + "?sig=x", now.Add(time.Hour)
		}
		svc := account.New(newBundle(t)).WithBaseURL("https://portal.example").WithReportPhotoLinks(sign)
		data, err := svc.Export(ctx, db, f.me, "nb", true, "req-x", t0)
		must(t, err)
		raw, err := json.Marshal(data)
		must(t, err)
		if len(data.Reports) != 2 || len(data.Ideas) != 2 {
			t.Fatalf("export: %s", raw)
		}
		byID := map[string]account.ExportReport{}
		for _, r := range data.Reports {
			byID[r.ID] = r
		}
		mine, followed := byID[ps.myReport], byID[ps.theirReport]
		if !mine.Mine || mine.Service != "Hull i veien" || mine.Agency != "Kulturetaten" || mine.Description != "Dypt hull ved bussholdeplassen." ||
			mine.Address != "Storgata 1" || mine.Lat == nil || *mine.Lat != 59.913 || mine.Status != reports.StatusInProgress ||
			mine.StatusReason != "Asfalteres i uke 12." || len(mine.Photos) != 1 || mine.Photos[0].Size != 3000 ||
			!strings.HasPrefix(mine.Photos[0].URL, "https://portal.example/files/v1/report-photos/") || mine.Photos[0].ExpiresAt == nil {
			t.Errorf("my report: %+v", mine)
		}
		if followed.Mine || followed.FollowedAt == nil || followed.Description != "" || followed.Status != reports.StatusReceived {
			t.Errorf("the followed report: %+v", followed)
		}
		ideasByID := map[string]account.ExportIdea{}
		for _, i := range data.Ideas {
			ideasByID[i.ID] = i
		}
		myIdea, supported := ideasByID[ps.myIdea], ideasByID[ps.theirIdea]
		if !myIdea.Mine || myIdea.Title != "Lys i tunnelen" || myIdea.Body != "Tunnelen er mørk." || myIdea.StatusReason != "Vi måler lyset i januar." ||
			myIdea.SupportCount != 1 || myIdea.Photo == nil || myIdea.Photo.URL != "https://portal.example/api/v1/ideas/"+ps.myIdea+"/photo" {
			t.Errorf("my idea: %s", raw)
		}
		if supported.Mine || supported.SupportedAt == nil || supported.Body != "" || supported.Title != "Flere benker" || supported.SupportCount != 2 {
			t.Errorf("the supported idea: %+v", supported)
		}
		if strings.Contains(string(raw), "Hjelperens") {
			t.Error("the export holds another person's words")
		}

		page, err := svc.RenderHTML(data)
		must(t, err)
		html := string(page)
		for _, want := range []string{"Meldinger om feil og mangler", "Hull i veien · Storgata 1", "Under arbeid", "Asfalteres i uke 12.",
			"Du følger denne meldingen", "Bilde (image/jpeg, 3 kB)", "Lys i tunnelen", "Vurderes", "Støttet av: 1",
			"Kommunens begrunnelse: Vi måler lyset i januar.", "Flere benker", "Du støttet idéen 23.11.2026 13:01"} {
			if !strings.Contains(html, want) {
				t.Errorf("the readable export lacks %q", want)
			}
		}
		if ids := uuidPattern.FindAllString(html, -1); len(ids) > 0 || strings.Contains(html, "https://") {
			t.Errorf("ids or links in the readable export: %v", ids)
		}
	})
}

// Closing leaves the reports (public space: the agency needs them) without any link to the
// person, ends their follows and supports (the counts move with them), and deletes their ideas
// with the moderator's reasons; the idea's photo goes through the outbox's files.delete, the
// report's photo stays.
func TestCloseDetachesReportsAndDeletesIdeas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		fs := openDisk(t)
		ps := addPublicSpace(t, f, fs)
		must(t, account.New(newBundle(t)).Close(ctx, db, f.me, "req-close", t0))

		for _, q := range []struct{ table, where string }{
			{"reports", "citizen_id = ?"}, {"report_followers", "citizen_id = ?"},
			{"ideas", "author_id = ?"}, {"idea_supports", "citizen_id = ?"},
		} {
			if n, err := db.NewSelect().TableExpr(q.table).Where(q.where, f.me).Count(ctx); err != nil || n != 0 {
				t.Errorf("%d rows of %s still point to the person (%v)", n, q.table, err)
			}
		}
		var report reports.Report
		must(t, db.NewSelect().Model(&report).Where("id = ?", ps.myReport).Scan(ctx))
		if report.CitizenID != nil || report.Description != "Dypt hull ved bussholdeplassen." {
			t.Errorf("the report after closing: %+v", report)
		}
		if n, _ := db.NewSelect().TableExpr("report_photos").Where("report_id = ?", ps.myReport).Count(ctx); n != 1 {
			t.Error("the report's photo row is gone")
		}
		if n, _ := db.NewSelect().TableExpr("reports").Where("id = ? AND citizen_id = ?", ps.theirReport, f.helper).Count(ctx); n != 1 {
			t.Error("the helper's report lost its reporter")
		}
		if n, _ := db.NewSelect().TableExpr("ideas").Where("id = ?", ps.myIdea).Count(ctx); n != 0 {
			t.Error("the person's idea is still there")
		}
		if n, _ := db.NewSelect().TableExpr("texts").Where("owner_kind = ?", ideas.TextOwner).Count(ctx); n != 0 {
			t.Errorf("%d reasons of deleted ideas left", n)
		}
		if n, _ := db.NewSelect().TableExpr("texts").Where("owner_kind = ? AND owner_id = ?", "report", ps.myReport).Count(ctx); n != 1 {
			t.Error("the agency's reason of the kept report is gone")
		}
		var count int64
		must(t, db.NewSelect().TableExpr("ideas").Column("support_count").Where("id = ?", ps.theirIdea).Scan(ctx, &count))
		if count != 1 {
			t.Errorf("the supported idea counts %d, want 1 (the child's)", count)
		}
		var payloads []string
		must(t, db.NewSelect().TableExpr("outbox").Column("payload").Where("topic = ?", files.TopicDelete).Scan(ctx, &payloads))
		joined := strings.Join(payloads, " ")
		if !strings.Contains(joined, ps.ideaPhotoKey) || strings.Contains(joined, ps.reportPhotoKey) {
			t.Errorf("files.delete messages %v: want the idea's photo, not the report's", payloads)
		}
	})
}
