package account_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"minside/backend/internal/account"
	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/files"
	"minside/backend/internal/messages"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// conversation is what an errand and its messages leave about the person: an errand over their
// case, a message they wrote with two attachments (bytes in the files store), one their helper
// wrote for them, the agency's answer they read, an open task, a sensitive draft, and a document
// they confirmed.
type conversation struct {
	errand, caseID string
	keys           []string // the attachments' storage keys
}

func addConversation(t *testing.T, f *fixture, fs files.Store) conversation {
	t.Helper()
	ctx := context.Background()
	db := f.db
	var conv conversation
	must(t, db.NewSelect().TableExpr("cases").Column("id").Where("citizen_id = ?", f.me).Scan(ctx, &conv.caseID))
	conv.errand = store.NewID()
	must(t, insert(db, &errands.Errand{ID: conv.errand, AgencyID: f.agency, ExternalID: "garasje", Version: 1, CitizenID: f.me, Area: "culture",
		Status: cases.StatusInProgress, CreatedAt: t0, UpdatedAt: t0}))
	must(t, texts.Save(ctx, db, "errand", conv.errand, texts.Fields{"title": {"nb": "Kulturhus"}}))
	_, err := db.NewUpdate().TableExpr("cases").Set("errand_id = ?", conv.errand).Where("id = ?", conv.caseID).Exec(ctx)
	must(t, err)
	step := &errands.Step{ID: store.NewID(), CaseID: conv.caseID, WaitingFor: errands.WaitingThirdParty, CreatedAt: t0}
	must(t, insert(db, step))
	must(t, texts.Save(ctx, db, "case_step", step.ID, texts.Fields{"text": {"nb": "Uttalelse"}}))

	me, helper, answer := f.me, f.helper, "svar-1"
	seen := t0.Add(time.Hour)
	mine := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: conv.caseID, AgencyID: f.agency, CitizenID: f.me,
		Direction: messages.FromCitizen, AuthorID: &me, Version: 1, Body: "Her er tegningene.", CreatedAt: t0, SeenAt: &seen}
	theirs := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: conv.caseID, AgencyID: f.agency, CitizenID: f.me,
		Direction: messages.FromCitizen, AuthorID: &helper, Version: 1, Body: "Skrevet for Kari.", CreatedAt: t0.Add(time.Minute)}
	reply := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: conv.caseID, AgencyID: f.agency, CitizenID: f.me,
		Direction: messages.FromAgency, ExternalID: &answer, Version: 1, Body: "Takk, mottatt.", CreatedAt: t0.Add(2 * time.Hour), SeenAt: &seen}
	for _, m := range []*messages.Message{mine, theirs, reply} {
		must(t, insert(db, m))
	}
	for i, name := range []string{"tegning.pdf", "foto.jpg"} {
		a := &messages.Attachment{ID: store.NewID(), MessageID: mine.ID, Position: i, Name: name, ContentType: "application/pdf", Size: 2048}
		a.StorageKey = "attachments/" + a.ID
		must(t, fs.Put(ctx, a.StorageKey, bytes.NewReader(make([]byte, a.Size)), a.Size, a.ContentType))
		must(t, insert(db, a))
		conv.keys = append(conv.keys, a.StorageKey)
	}

	due, expires := t0.Add(7*24*time.Hour), t0.Add(30*24*time.Hour)
	task := &tasks.Task{ID: store.NewID(), AgencyID: f.agency, ExternalID: "t1", Kind: tasks.KindTask, Version: 1, CitizenID: f.me, Area: "culture",
		Status: tasks.StatusOpen, DueAt: &due, Link: "https://agency.example/t1", CreatedAt: t0, UpdatedAt: t0}
	draft := &tasks.Task{ID: store.NewID(), AgencyID: f.agency, ExternalID: "d1", Kind: tasks.KindDraft, Version: 1, CitizenID: f.me, Area: "culture",
		Status: tasks.StatusOpen, ExpiresAt: &expires, Link: "https://agency.example/d1", Sensitive: true, CreatedAt: t0, UpdatedAt: t0}
	for _, row := range []*tasks.Task{task, draft} {
		must(t, insert(db, row))
	}
	must(t, texts.Save(ctx, db, tasks.TextOwner, task.ID, texts.Fields{"title": {"nb": "Send inn målebrev"}}))
	must(t, texts.Save(ctx, db, tasks.TextOwner, draft.ID, texts.Fields{"title": {"nb": "Søknad om sosialhjelp"}}))

	must(t, insert(db, &cases.Document{ID: store.NewID(), CaseID: conv.caseID, ExternalID: "brev", Name: "Mangelbrev", URL: "https://agency.example/brev",
		Requires: cases.RequiresAcknowledge, CreatedAt: t0}))
	must(t, insert(db, &cases.Acknowledgement{CaseID: conv.caseID, DocumentExtID: "brev", CitizenID: f.me, ActorID: f.me, ActorKind: audit.ActorCitizen,
		Requires: cases.RequiresAcknowledge, Level: "idporten-loa-substantial", AcknowledgedAt: t0.Add(3 * time.Hour)}))
	return conv
}

// The export holds the errand, every message of the person's cases (who wrote it, the receipt, the
// attachments' names, types, sizes and download links), their tasks and drafts (a sensitive one
// without content below the step-up level) and the documents they confirmed; the readable page
// says the same in words, without ids or links.
func TestExportHoldsErrandsMessagesTasksAndAcknowledgements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		disk, err := files.NewDisk(t.TempDir())
		must(t, err)
		conv := addConversation(t, f, disk)
		svc := account.New(newBundle(t)).WithBaseURL("https://minside.example/")
		data, err := svc.Export(context.Background(), db, f.me, "nb", false, "req-x", t0)
		must(t, err)

		if len(data.Errands) != 1 || data.Errands[0].ID != conv.errand || data.Errands[0].Title != "Kulturhus" ||
			len(data.Errands[0].CaseIDs) != 1 || data.Errands[0].CaseIDs[0] != conv.caseID {
			t.Errorf("errands: %+v", data.Errands)
		}
		if len(data.Messages) != 3 {
			t.Fatalf("messages: %+v", data.Messages)
		}
		mine, theirs, reply := data.Messages[0], data.Messages[1], data.Messages[2]
		if mine.WrittenBy != "Kari Nordmann" || mine.OnBehalf || mine.Body != "Her er tegningene." || mine.SeenAt == nil || len(mine.Attachments) != 2 {
			t.Errorf("the person's message: %+v", mine)
		}
		a := mine.Attachments[0]
		if a.Name != "tegning.pdf" || a.ContentType != "application/pdf" || a.Size != 2048 || a.URL != "https://minside.example/api/v1/attachments/"+a.ID {
			t.Errorf("attachment: %+v", a)
		}
		if theirs.WrittenBy != "Per Hjelper" || !theirs.OnBehalf || theirs.SeenAt != nil {
			t.Errorf("the helper's message: %+v", theirs)
		}
		if reply.Direction != messages.FromAgency || reply.WrittenBy != "Kulturetaten" || reply.SeenAt == nil {
			t.Errorf("the agency's answer: %+v", reply)
		}
		if len(data.Tasks) != 2 {
			t.Fatalf("tasks: %+v", data.Tasks)
		}
		byKind := map[string]account.ExportTask{}
		for _, task := range data.Tasks {
			byKind[task.Kind] = task
		}
		if task := byKind[tasks.KindTask]; task.Title != "Send inn målebrev" || task.DueAt == nil || task.Link == "" {
			t.Errorf("task: %+v", task)
		}
		if draft := byKind[tasks.KindDraft]; !draft.Withheld || draft.Title != "" || draft.Link != "" || len(draft.Texts) != 0 || draft.ExpiresAt == nil {
			t.Errorf("a sensitive draft below the step-up level: %+v", draft)
		}
		if len(data.Acknowledgements) != 1 || data.Acknowledgements[0].Document != "Mangelbrev" || data.Acknowledgements[0].ByRepresentative ||
			data.Acknowledgements[0].CaseID != conv.caseID || data.Acknowledgements[0].DocumentID != "brev" {
			t.Errorf("acknowledgements: %+v", data.Acknowledgements)
		}

		cleared, err := svc.Export(context.Background(), db, f.me, "nb", true, "req-y", t0)
		must(t, err)
		for _, task := range cleared.Tasks {
			if task.Kind == tasks.KindDraft && (task.Withheld || task.Title != "Søknad om sosialhjelp") {
				t.Errorf("the draft at the step-up level: %+v", task)
			}
		}

		page, err := svc.RenderHTML(data)
		must(t, err)
		html := string(page)
		for _, want := range []string{"Ærender", "Kulturhus", "Meldinger", "Her er tegningene.", "Skrevet av Per Hjelper på dine vegne",
			"Sett av etaten: 23.11.2026 14:00", "Vedlegg: tegning.pdf (application/pdf, 2 kB)", "Oppgaver og påbegynte søknader",
			"Send inn målebrev", "Sensitiv sak fra Kulturetaten", "Dokumenter du har bekreftet eller signert", "Mangelbrev",
			"Bekreftet av deg 23.11.2026 16:00"} {
			if !strings.Contains(html, want) {
				t.Errorf("the readable export lacks %q", want)
			}
		}
		if strings.Contains(html, "Søknad om sosialhjelp") || strings.Contains(html, "/api/v1/attachments/") {
			t.Error("the readable export shows a withheld title or a link")
		}
		if ids := uuidPattern.FindAllString(html, -1); len(ids) > 0 {
			t.Errorf("internal ids in the readable export: %v", ids)
		}
	})
}

// flakyStore refuses deletions while down, as an unreachable S3 would.
type flakyStore struct {
	files.Store
	down bool
}

func (s *flakyStore) Delete(ctx context.Context, key string) error {
	if s.down {
		return errors.New("store unreachable")
	}
	return s.Store.Delete(ctx, key)
}

// Closing the account deletes the messages and attachments' rows in its transaction and leaves the
// files to the outbox: they are still there when it commits, survive a store that is down (the
// message is retried, not lost), and are gone once the worker gets through, on the disk and on S3.
func TestCloseDeletesMessagesAndTheirFilesThroughTheOutbox(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) files.Store{"disk": openDisk, "s3": openFakeS3} {
		t.Run(name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				f := setup(t, db)
				fs := &flakyStore{Store: open(t), down: true}
				conv := addConversation(t, f, fs)
				svc := account.New(newBundle(t))
				must(t, svc.Close(ctx, db, f.me, "req-close", t0))

				for _, table := range []string{"messages", "errands", "tasks", "document_acknowledgements"} {
					if n, _ := db.NewSelect().TableExpr(table).Where("citizen_id = ?", f.me).Count(ctx); n != 0 {
						t.Errorf("%d rows left in %s", n, table)
					}
				}
				if n, _ := db.NewSelect().TableExpr("message_attachments").Count(ctx); n != 0 {
					t.Errorf("%d attachment rows left", n)
				}
				if n, _ := db.NewSelect().TableExpr("texts").Count(ctx); n != 0 {
					t.Errorf("%d texts left", n)
				}
				exists := func(key string) bool {
					rc, err := fs.Open(ctx, key)
					if errors.Is(err, files.ErrNotFound) {
						return false
					}
					must(t, err)
					_ = rc.Close()
					return true
				}
				for _, k := range conv.keys {
					if !exists(k) {
						t.Fatalf("%s deleted before the outbox ran", k)
					}
				}

				now := t0
				worker := outbox.NewWorker(db, map[string]outbox.Handler{files.TopicDelete: files.DeleteHandler(fs)},
					outbox.WorkerOptions{Now: func() time.Time { return now }, BackoffMin: time.Second, BackoffMax: time.Second})
				if n, err := worker.RunOnce(ctx); err != nil || n != 1 {
					t.Fatalf("first run: claimed %d, %v", n, err)
				}
				for _, k := range conv.keys {
					if !exists(k) {
						t.Fatalf("%s gone although the store was down", k)
					}
				}
				pending, err := db.NewSelect().TableExpr("outbox").Where("topic = ? AND status = ?", files.TopicDelete, outbox.StatusPending).Count(ctx)
				must(t, err)
				if pending != 1 {
					t.Fatalf("%d deletions pending after the store refused, want 1", pending)
				}

				fs.down, now = false, t0.Add(time.Hour)
				if n, err := worker.RunOnce(ctx); err != nil || n != 1 {
					t.Fatalf("second run: claimed %d, %v", n, err)
				}
				for _, k := range conv.keys {
					if exists(k) {
						t.Errorf("%s is still in the store after the outbox ran", k)
					}
				}
				var payload string
				must(t, db.NewSelect().TableExpr("outbox").Column("payload").Where("topic = ?", files.TopicDelete).Scan(ctx, &payload))
				for _, secret := range append(append([]string{}, f.numbers...), "Kari", "tegning") {
					if strings.Contains(payload, secret) {
						t.Errorf("the outbox message holds %q", secret)
					}
				}
			})
		})
	}
}

func openDisk(t *testing.T) files.Store {
	d, err := files.NewDisk(t.TempDir())
	must(t, err)
	return d
}

func openFakeS3(t *testing.T) files.Store {
	backend := s3mem.New()
	must(t, backend.CreateBucket("minside"))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s, err := files.NewS3(files.S3Options{Endpoint: srv.URL, Region: "us-east-1", Bucket: "minside", AccessKey: "test", SecretKey: "test-secret"})
	must(t, err)
	return s
}
