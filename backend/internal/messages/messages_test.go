package messages_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/files"
	"minside/backend/internal/messages"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/uploads"
)

var t0 = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// world: the building agency, a parent (guardian of a child), the child's building case, a stranger.
type world struct {
	db                      *store.DB
	svc                     *messages.Service
	clock                   *time.Time
	dir                     string
	agency                  string
	parent, child, stranger string
	kase                    *cases.Case
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	now := t0
	w := &world{db: db, clock: &now, dir: t.TempDir(), agency: store.NewID()}
	disk, err := files.NewDisk(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	w.svc = messages.New(db, disk, messages.NewLinks(strings.Repeat("k", 32), "https://minside.example.no", 0),
		uploads.Limits{MaxFileBytes: 1 << 20, MaxFiles: 3, MaxPixels: 4_000_000, MaxSide: 2000}, func() time.Time { return *w.clock })
	hook := "https://byggesak.example.no/hooks"
	insert(t, db, &agency.Agency{ID: w.agency, Slug: "bygg-" + w.agency[len(w.agency)-6:], Name: "Byggesak", WebhookURL: &hook, CreatedAt: t0, UpdatedAt: t0})
	w.parent = w.citizen(t, "Kari", time.Date(1985, 3, 1, 0, 0, 0, 0, time.UTC))
	w.child = w.citizen(t, "Ola", time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC))
	w.stranger = w.citizen(t, "Per", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))
	w.kase = &cases.Case{ID: store.NewID(), AgencyID: w.agency, ExternalID: "BYGG-2026-17", Version: 1, CitizenID: w.child,
		Area: "building", Status: cases.StatusInProgress, CreatedAt: t0, UpdatedAt: t0}
	insert(t, db, w.kase)
	_ = ctx
	return w
}

func (w *world) citizen(t *testing.T, name string, born time.Time) string {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := store.NewID()
	insert(t, w.db, &citizens.Citizen{ID: id, PIDHash: hex.EncodeToString(b), PIDMasked: born.Format("020106") + "*****", BirthDate: born, Name: name, CreatedAt: t0, UpdatedAt: t0})
	return id
}

func insert(t *testing.T, db *store.DB, model any) {
	t.Helper()
	if _, err := db.NewInsert().Model(model).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func photo(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func webhooks(t *testing.T, db *store.DB) []outbox.Message {
	var rows []outbox.Message
	if err := db.NewSelect().Model(&rows).Where("topic = ?", outbox.TopicWebhook).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rows
}

func audits(t *testing.T, db *store.DB, action, actorKind string) []audit.Entry {
	var rows []audit.Entry
	if err := db.NewSelect().Model(&rows).Where("action = ? AND actor_kind = ?", action, actorKind).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestConversation: a guardian writes on the child's case with a photo and a PDF; the agency gets
// the webhook, downloads through the signed link, reads (receipt), answers; the child sees the
// answer (receipt the other way); every read by others is in the access log.
func TestConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		asGuardian := represent.View{SubjectID: w.child, ActorID: w.parent, Areas: nil}
		pdf := []byte("%PDF-1.7\nsituasjonsplan\n%%EOF\n")
		m, err := w.svc.Post(ctx, asGuardian, messages.Target{Kind: messages.SubjectCase, ID: w.kase.ID}, "Her er situasjonsplanen og et bilde av tomta.",
			[]uploads.Input{{Name: "tomt.jpg", Data: photo(t)}, {Name: "plan.pdf", Data: pdf}}, "req-1")
		if err != nil {
			t.Fatal(err)
		}
		if !m.OnBehalf() || *m.AuthorID != w.parent || m.CitizenID != w.child || len(m.Attachments) != 2 {
			t.Fatalf("message: on behalf %v author %v attachments %d", m.OnBehalf(), m.AuthorID, len(m.Attachments))
		}
		if got := audits(t, db, audit.ActionMessageSend, audit.ActorRepresentative); len(got) != 1 || *got[0].SubjectID != w.child {
			t.Fatalf("representative's message not audited: %+v", got)
		}

		// The webhook: the case by the agency's id, "representative", links; no national id.
		hooks := webhooks(t, db)
		if len(hooks) != 1 {
			t.Fatalf("%d webhooks, want 1", len(hooks))
		}
		var env struct{ Type, Body string }
		_ = json.Unmarshal(hooks[0].Payload, &env)
		var event struct{ Data messages.Received }
		if err := json.Unmarshal([]byte(env.Body), &event); err != nil {
			t.Fatalf("webhook body %q: %v", env.Body, err)
		}
		ev := event.Data
		if env.Type != messages.EventReceived || ev.CaseID != "BYGG-2026-17" || ev.By != "representative" || ev.MessageID != m.ID || len(ev.Attachments) != 2 {
			t.Fatalf("webhook %s %+v", env.Type, ev)
		}
		if leaks := pid.FindLeaks(string(hooks[0].Payload)); len(leaks) > 0 || strings.Contains(env.Body, "Kari") {
			t.Fatalf("webhook leaks personal data: %v", leaks)
		}

		// The link works before it expires, is refused after, and refused when changed.
		link := ev.Attachments[1]
		u, _ := url.Parse(link.URL)
		id := strings.TrimPrefix(u.Path, messages.LinkPath)
		q := u.Query()
		a, open, err := w.svc.SignedAttachment(ctx, id, q.Get("expires"), q.Get("sig"), "req-dl")
		if err != nil || a.ContentType != uploads.TypePDF {
			t.Fatalf("download before expiry: %v", err)
		}
		rc, err := open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, pdf) {
			t.Fatalf("downloaded %q", got)
		}
		if len(audits(t, db, audit.ActionRead, audit.ActorAgency)) != 1 {
			t.Fatal("the agency's download is not audited")
		}
		tampered := []byte(q.Get("sig"))
		tampered[0] ^= 1
		if _, _, err := w.svc.SignedAttachment(ctx, id, q.Get("expires"), string(tampered), "r"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("tampered signature: %v", err)
		}
		if _, _, err := w.svc.SignedAttachment(ctx, m.Attachments[0].ID, q.Get("expires"), q.Get("sig"), "r"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("signature of another attachment: %v", err)
		}
		*w.clock = link.ExpiresAt
		if _, _, err := w.svc.SignedAttachment(ctx, id, q.Get("expires"), q.Get("sig"), "r"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("expired link: %v", err)
		}

		// The agency reads the message: seen by the agency now, audited.
		*w.clock = t0.Add(2 * time.Hour)
		read, err := w.svc.AgencyRead(ctx, w.agency, m.ID, "req-2")
		if err != nil || read.SeenAt == nil || !read.SeenAt.Equal(*w.clock) || len(read.Attachments) != 2 {
			t.Fatalf("agency read: %+v, %v", read, err)
		}
		if _, err := w.svc.AgencyRead(ctx, store.NewID(), m.ID, "req-x"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("another agency read the message: %v", err)
		}

		// The agency answers; the same version again is a no-op, an older one a conflict.
		*w.clock = t0.Add(3 * time.Hour)
		ans, created, err := w.svc.PutAnswer(ctx, w.agency, "svar-1", messages.Answer{CaseID: "BYGG-2026-17", Body: "Takk, vi ser på det.", Version: 2}, "req-3")
		if err != nil || !created {
			t.Fatalf("answer: %v created %v", err, created)
		}
		if _, created, err := w.svc.PutAnswer(ctx, w.agency, "svar-1", messages.Answer{CaseID: "BYGG-2026-17", Body: "Takk, vi ser på det.", Version: 2}, "req-4"); err != nil || created {
			t.Fatalf("same version: %v created %v", err, created)
		}
		if _, _, err := w.svc.PutAnswer(ctx, w.agency, "svar-1", messages.Answer{CaseID: "BYGG-2026-17", Body: "eldre", Version: 1}, "req-5"); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("older version: %v", err)
		}
		var notes []outbox.Message
		if err := db.NewSelect().Model(&notes).Where("topic = ?", outbox.TopicNotify).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		pushes := 0
		for _, n := range notes {
			var ev outbox.NotifyEvent
			_ = json.Unmarshal(n.Payload, &ev)
			if ev.Kind == "message" && ev.ObjectID == ans.ID && ev.CitizenID == w.child {
				pushes++
			}
		}
		if pushes != 1 {
			t.Fatalf("%d notify events for the answer, want 1", pushes)
		}

		// The guardian reads the thread: not the child's own reading, so the answer stays unseen.
		thread, err := w.svc.Thread(ctx, asGuardian, messages.SubjectCase, w.kase.ID, true, "req-6")
		if err != nil || len(thread) != 2 || thread[1].SeenAt != nil || thread[0].AuthorName != "Kari" {
			t.Fatalf("guardian's thread: %d, %v", len(thread), err)
		}
		// The child reads it: the answer is seen by them now; their message shows the agency's receipt.
		*w.clock = t0.Add(4 * time.Hour)
		thread, err = w.svc.Thread(ctx, represent.Own(w.child), messages.SubjectCase, w.kase.ID, true, "req-7")
		if err != nil || len(thread) != 2 {
			t.Fatalf("thread: %d, %v", len(thread), err)
		}
		if thread[0].ID != m.ID || thread[0].SeenAt == nil || !thread[0].SeenAt.Equal(t0.Add(2*time.Hour)) || len(thread[0].Attachments) != 2 {
			t.Fatalf("first message: %+v", thread[0])
		}
		if thread[1].Direction != messages.FromAgency || thread[1].SeenAt == nil || !thread[1].SeenAt.Equal(*w.clock) {
			t.Fatalf("answer: %+v", thread[1])
		}
		// The agency sees the receipt of its answer.
		if again, err := w.svc.AgencyRead(ctx, w.agency, "svar-1", "req-8"); err != nil || again.SeenAt == nil {
			t.Fatalf("answer as the agency sees it: %+v, %v", again, err)
		}

		// A stranger finds no such case.
		if _, err := w.svc.Post(ctx, represent.Own(w.stranger), messages.Target{Kind: messages.SubjectCase, ID: w.kase.ID}, "hei", nil, "r"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("stranger: %v", err)
		}
		if _, err := w.svc.Thread(ctx, represent.Own(w.stranger), messages.SubjectCase, w.kase.ID, true, "r"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("stranger's thread: %v", err)
		}
	})
}

// A power of attorney outside the case's area does not reach it: the one scope rule.
func TestRepresentativeOutsideScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		health := represent.View{SubjectID: w.child, ActorID: w.parent, Areas: []string{"health"}}
		if _, err := w.svc.Post(context.Background(), health, messages.Target{Kind: messages.SubjectCase, ID: w.kase.ID}, "hei", nil, "r"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("outside scope: %v", err)
		}
	})
}

// Bad input: every field at fault is named and nothing is stored (no row, no file, no webhook).
func TestBadInputStoresNothing(t *testing.T) {
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	tests := map[string]struct {
		body     string
		files    []uploads.Input
		pointers []string
	}{
		"heic":                   {"hei", []uploads.Input{{Name: "IMG_1.HEIC", Data: heic}}, []string{"/attachments/0"}},
		"wrong type":             {"hei", []uploads.Input{{Name: "x.pdf", Data: []byte("PK\x03\x04")}}, []string{"/attachments/0"}},
		"too big":                {"hei", []uploads.Input{{Name: "x.pdf", Data: append([]byte("%PDF-"), make([]byte, 1<<20)...)}}, []string{"/attachments/0"}},
		"too many":               {"hei", []uploads.Input{{Data: []byte("%PDF-")}, {Data: []byte("%PDF-")}, {Data: []byte("%PDF-")}, {Data: []byte("%PDF-")}}, []string{"/attachments"}},
		"no text and a bad file": {"  ", []uploads.Input{{Data: []byte("GIF89a")}}, []string{"/body", "/attachments/0"}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.Post(context.Background(), represent.Own(w.child), messages.Target{Kind: messages.SubjectCase, ID: w.kase.ID}, tc.body, tc.files, "r")
				e, ok := apperr.As(err)
				if !ok || e.Code != apperr.CodeInvalid || len(e.Fields) != len(tc.pointers) {
					t.Fatalf("err %v, want fields %v", err, tc.pointers)
				}
				for i, p := range tc.pointers {
					if e.Fields[i].Pointer != p {
						t.Errorf("field %d: %s, want %s", i, e.Fields[i].Pointer, p)
					}
				}
			})
		}
		n, err := db.NewSelect().Model((*messages.Message)(nil)).Count(context.Background())
		if err != nil || n != 0 || len(webhooks(t, db)) != 0 {
			t.Fatalf("stored %d messages (%v), %d webhooks", n, err, len(webhooks(t, db)))
		}
		var stored []string
		_ = filepath.WalkDir(w.dir, func(p string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				stored = append(stored, p)
			}
			return nil
		})
		if len(stored) != 0 {
			t.Fatalf("files left behind: %v", stored)
		}
	})
}
