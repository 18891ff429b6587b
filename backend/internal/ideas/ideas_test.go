package ideas_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
	"minside/backend/internal/files"
	"minside/backend/internal/ideas"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
	"minside/backend/internal/uploads"
)

var t0 = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// keyTranslator answers the message id in the language asked, so a test sees which text was used.
type keyTranslator struct{}

func (keyTranslator) Translate(lang, id string, _ map[string]any) string { return lang + ":" + id }

// world: Innolab (the moderator, with a webhook), another agency without the authority, an author
// in Grünerløkka and two neighbours.
type world struct {
	db                *store.DB
	svc               *ideas.Service
	clock             *time.Time
	innolab, other    string
	author, ann, bent string
}

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	now := t0
	w := &world{db: db, clock: &now, innolab: store.NewID(), other: store.NewID()}
	disk, err := files.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.svc = ideas.New(db, disk, uploads.Limits{MaxFileBytes: 1 << 20, MaxFiles: 5, MaxPixels: 4_000_000, MaxSide: 2000},
		keyTranslator{}, func() time.Time { return *w.clock })
	hook := "https://innolab.example.no/hooks"
	insert(t, db, &agency.Agency{ID: w.innolab, Slug: "innolab-" + w.innolab[len(w.innolab)-6:], Name: "Innolab", WebhookURL: &hook, CreatedAt: t0, UpdatedAt: t0})
	insert(t, db, &agency.Agency{ID: w.other, Slug: "bygg-" + w.other[len(w.other)-6:], Name: "Byggesak", WebhookURL: &hook, CreatedAt: t0, UpdatedAt: t0})
	if err := agency.Grant(context.Background(), db, w.innolab, agency.AuthorityIdeas, t0); err != nil {
		t.Fatal(err)
	}
	w.author = w.citizen(t, "Grünerløkka")
	w.ann = w.citizen(t, "Frogner")
	w.bent = w.citizen(t, "")
	return w
}

func (w *world) citizen(t testing.TB, district string) string {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := store.NewID()
	insert(t, w.db, &citizens.Citizen{ID: id, PIDHash: hex.EncodeToString(b), PIDMasked: "010180*****", BirthDate: t0.AddDate(-40, 0, 0),
		Name: "Navn " + id[:4], District: district, CreatedAt: t0, UpdatedAt: t0})
	return id
}

func insert(t testing.TB, db *store.DB, model any) {
	t.Helper()
	if _, err := db.NewInsert().Model(model).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (w *world) submit(t *testing.T, who string, d ideas.Draft) *ideas.Idea {
	t.Helper()
	idea, err := w.svc.SubmitTx(context.Background(), w.db, who, d)
	if err != nil {
		t.Fatalf("submit %q: %v", d.Title, err)
	}
	*w.clock = w.clock.Add(time.Minute)
	return idea
}

func count(t *testing.T, db *store.DB, table, where string, args ...any) int64 {
	t.Helper()
	n, err := db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.CodeInvalid {
		t.Fatalf("want a 422, got %v", err)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Pointer] = f.Key
	}
	return out
}

func jpegBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Bad input names every field at fault and stores nothing, not even the photo's bytes.
func TestSubmitRefusesBadInputAndStoresNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cases := []struct {
			name string
			d    ideas.Draft
			want map[string]string
		}{
			{"empty", ideas.Draft{}, map[string]string{"/title": "field.required", "/body": "field.required", "/area": "field.required"}},
			{"unknown area and long title", ideas.Draft{Title: strings.Repeat("x", ideas.MaxTitle+1), Body: "b", Area: "space"},
				map[string]string{"/title": "field.too_long", "/area": "field.invalid_enum"}},
			{"a pdf is no photo", ideas.Draft{Title: "t", Body: "b", Area: "other", Photo: &uploads.Input{Name: "x.pdf", Data: []byte("%PDF-1.7\n")}},
				map[string]string{"/photo": ideas.KeyPhotoType}},
			{"a broken photo", ideas.Draft{Title: "t", Body: "b", Area: "other", Photo: &uploads.Input{Name: "x.jpg", Data: []byte{0xFF, 0xD8, 0xFF, 0}}},
				map[string]string{"/photo": uploads.KeyBrokenImage}},
		}
		for _, c := range cases {
			_, err := w.svc.SubmitTx(context.Background(), db, w.author, c.d)
			got := fields(t, err)
			for p, key := range c.want {
				if got[p] != key {
					t.Errorf("%s: %s = %q, want %q (all: %v)", c.name, p, got[p], key, got)
				}
			}
		}
		if n := count(t, db, "ideas", "1 = 1"); n != 0 {
			t.Errorf("%d ideas stored from bad input", n)
		}
		if n := count(t, db, "outbox", "1 = 1"); n != 0 {
			t.Errorf("%d outbox messages from bad input", n)
		}
	})
}

// A submitted idea is "received", carries the author's district (never the name), its photo is
// kept, and only the moderating agency gets idea.created, without anything about who wrote it.
func TestSubmitTellsTheModeratorOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		idea := w.submit(t, w.author, ideas.Draft{Title: " Benker i parken ", Body: "Flere benker ved dammen.", Area: "environment",
			Photo: &uploads.Input{Name: "park.jpg", Data: jpegBytes(t)}})
		if idea.Status != ideas.StatusReceived || idea.District != "Grünerløkka" || idea.Title != "Benker i parken" || !idea.HasPhoto() {
			t.Fatalf("idea: %+v", idea)
		}
		_, open, err := w.svc.Photo(context.Background(), w.ann, idea.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		_ = rc.Close()
		if uploads.Sniff(b) != uploads.TypeJPEG {
			t.Errorf("photo bytes are not a JPEG")
		}
		var rows []outbox.Message
		if err := db.NewSelect().Model(&rows).Where("topic = ?", outbox.TopicWebhook).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d webhooks, want 1 (the moderator's)", len(rows))
		}
		var p struct{ AgencyID, Type, Body string }
		if err := json.Unmarshal(rows[0].Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.AgencyID != w.innolab || p.Type != ideas.EventCreated {
			t.Errorf("webhook to %s of %s", p.AgencyID, p.Type)
		}
		if !strings.Contains(p.Body, `"district":"Grünerløkka"`) || !strings.Contains(p.Body, `"hasPhoto":true`) ||
			strings.Contains(p.Body, w.author) || strings.Contains(p.Body, "Navn") {
			t.Errorf("webhook body: %s", p.Body)
		}
	})
}

// Support is once per person (again changes nothing), never the author's own, and can be taken
// back; the list sorts by support and filters by area.
func TestSupportOnceAndSortBySupport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		older := w.submit(t, w.author, ideas.Draft{Title: "Sykkelvei", Body: "b", Area: "transport"})
		newer := w.submit(t, w.author, ideas.Draft{Title: "Lesesal", Body: "b", Area: "culture_leisure"})
		for range 2 {
			got, err := w.svc.Support(ctx, w.ann, older.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if got.SupportCount != 1 || !got.Supported {
				t.Fatalf("after supporting: %d, supported %v", got.SupportCount, got.Supported)
			}
		}
		if _, err := w.svc.Support(ctx, w.author, older.ID, true); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("the author supporting their own idea: %v, want 403", err)
		}
		if _, err := w.svc.Support(ctx, w.bent, older.ID, true); err != nil {
			t.Fatal(err)
		}
		list, _, err := w.svc.List(ctx, w.ann, ideas.Query{Sort: ideas.SortSupported, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != older.ID || list[0].SupportCount != 2 || !list[0].Supported || list[1].Supported {
			t.Fatalf("by support: %+v", list)
		}
		list, _, _ = w.svc.List(ctx, w.ann, ideas.Query{Limit: 10})
		if list[0].ID != newer.ID {
			t.Errorf("newest first: %s first", list[0].Title)
		}
		list, more, _ := w.svc.List(ctx, w.ann, ideas.Query{Area: "transport", Limit: 1})
		if len(list) != 1 || list[0].ID != older.ID || more {
			t.Errorf("transport: %+v, more %v", list, more)
		}
		got, err := w.svc.Support(ctx, w.ann, older.ID, false)
		if err != nil || got.SupportCount != 1 || got.Supported {
			t.Fatalf("withdrawn: %+v, %v", got, err)
		}
		if _, err := w.svc.Support(ctx, w.ann, older.ID, false); err != nil {
			t.Errorf("withdrawing again: %v", err)
		}
		if n := count(t, db, "idea_supports", "idea_id = ?", older.ID); n != 1 {
			t.Errorf("%d supports stored, want 1", n)
		}
		if err := ideas.CheckQuery(ideas.Query{Sort: "random", Area: "moon"}); len(fields(t, err)) != 2 {
			t.Errorf("a bad query: %v", err)
		}
	})
}

// Only the agency with the authority moderates; every status after received needs a reason; the
// author is told of a change (notification in every language, push through the outbox), and a
// repeated PUT tells no one again.
func TestStatusNeedsTheAuthorityAndAReason(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		idea := w.submit(t, w.author, ideas.Draft{Title: "Sykkelvei", Body: "b", Area: "transport"})
		reason := map[string]string{"nb": "Vi prøver det i Storgata i vår.", "en": "We will try it in Storgata this spring."}
		if _, err := w.svc.SetStatus(ctx, w.other, idea.ID, ideas.StatusTried, reason); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agency without the authority: %v", err)
		}
		got := fields(t, func() error { _, err := w.svc.SetStatus(ctx, w.innolab, idea.ID, ideas.StatusTried, nil); return err }())
		if got["/reason"] != "field.required" {
			t.Errorf("no reason: %v", got)
		}
		got = fields(t, func() error {
			_, err := w.svc.SetStatus(ctx, w.innolab, idea.ID, "done", map[string]string{"xx": "x", "en": ""})
			return err
		}())
		if got["/status"] != "field.invalid_enum" || got["/reason/xx"] != "field.invalid_language" || got["/reason/en"] != "field.required" {
			t.Errorf("bad status and reason: %v", got)
		}
		if _, err := w.svc.SetStatus(ctx, w.innolab, store.NewID(), ideas.StatusTried, reason); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("an unknown idea: %v", err)
		}
		if n := count(t, db, "notifications", "citizen_id = ?", w.author); n != 0 {
			t.Fatalf("refused changes notified %d times", n)
		}
		for range 2 {
			out, err := w.svc.SetStatus(ctx, w.innolab, idea.ID, ideas.StatusTried, reason)
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != ideas.StatusTried || out.StatusReason["en"] != reason["en"] {
				t.Fatalf("after: %+v", out)
			}
		}
		mine, err := w.svc.Mine(ctx, w.author)
		if err != nil || len(mine) != 1 || mine[0].Status != ideas.StatusTried || mine[0].StatusReason["nb"] != reason["nb"] {
			t.Fatalf("the author's ideas: %+v, %v", mine, err)
		}
		var notes []notify.Notification
		if err := db.NewSelect().Model(&notes).Where("citizen_id = ?", w.author).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].AgencyID == nil || *notes[0].AgencyID != w.innolab || notes[0].Link != "/ideas/"+idea.ID {
			t.Fatalf("notifications: %+v", notes)
		}
		tx, err := texts.Load(ctx, db, "notification", []string{notes[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if tx[notes[0].ID]["title"]["se"] != "se:ideas.notice.status" || tx[notes[0].ID]["body"]["pl"] != reason["en"] || tx[notes[0].ID]["body"]["nn"] != reason["nb"] {
			t.Errorf("notification texts: %v", tx[notes[0].ID])
		}
		if n := count(t, db, "outbox", "topic = ? AND CAST(payload AS TEXT) LIKE ?", outbox.TopicNotify, "%"+notes[0].ID+"%"); n != 1 {
			t.Errorf("%d pushes queued for the notice, want 1", n)
		}
	})
}

// Hiding takes the idea out of everyone else's list and reach (not found, no support), the author
// still sees it with the reason and is told; putting it back needs no reason.
func TestHiddenIdeaStaysWithItsAuthor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		idea := w.submit(t, w.author, ideas.Draft{Title: "Reklame", Body: "Kjøp min bil", Area: "other"})
		if got := fields(t, func() error { _, err := w.svc.SetHidden(ctx, w.innolab, idea.ID, true, nil); return err }()); got["/reason"] != "field.required" {
			t.Fatalf("hiding without a reason: %v", got)
		}
		why := map[string]string{"nb": "Dette er reklame, ikke en idé."}
		if _, err := w.svc.SetHidden(ctx, w.innolab, idea.ID, true, why); err != nil {
			t.Fatal(err)
		}
		list, _, _ := w.svc.List(ctx, w.ann, ideas.Query{})
		if len(list) != 0 {
			t.Errorf("others still list the hidden idea")
		}
		if _, err := w.svc.Get(ctx, w.ann, idea.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("another reading the hidden idea: %v", err)
		}
		if _, err := w.svc.Support(ctx, w.ann, idea.ID, true); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("another supporting the hidden idea: %v", err)
		}
		own, err := w.svc.Get(ctx, w.author, idea.ID)
		if err != nil || !own.Hidden() || own.HiddenReason["nb"] != why["nb"] {
			t.Fatalf("the author's view: %+v, %v", own, err)
		}
		if n := count(t, db, "notifications", "citizen_id = ?", w.author); n != 1 {
			t.Errorf("%d notices to the author, want 1", n)
		}
		if _, err := w.svc.SetHidden(ctx, w.innolab, idea.ID, false, nil); err != nil {
			t.Fatal(err)
		}
		if list, _, _ := w.svc.List(ctx, w.ann, ideas.Query{}); len(list) != 1 || list[0].HiddenReason != nil {
			t.Errorf("back in the list: %+v", list)
		}
		all, _, err := w.svc.AgencyList(ctx, w.innolab, ideas.AgencyQuery{})
		if err != nil || len(all) != 1 {
			t.Fatalf("the moderator's list: %v, %v", all, err)
		}
		if _, _, err := w.svc.AgencyList(ctx, w.other, ideas.AgencyQuery{}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("another agency's list: %v", err)
		}
	})
}
