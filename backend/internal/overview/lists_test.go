package overview_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
	"minside/backend/internal/overview"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

func TestCursorPaginationCoversEveryItemOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ag := w.agency("plan", "Plan")
		me := w.citizen("Kari", date(1980, 1, 1), "Sentrum")
		var want []string
		w.batch(func() {
			for i := range 23 {
				// Several cases share an update time, so the id must break ties.
				want = append(want, w.addCase(caseSpec{agency: ag, citizen: me, status: cases.StatusReceived, updated: w.now.Add(-time.Duration(i/3) * time.Minute)}))
				w.addBooking(ag, me, "", fmt.Sprintf("Rom %d", i), w.now.Add(time.Duration(i%5-2)*24*time.Hour), bookings.StatusConfirmed)
				w.addNotification(ag, me, fmt.Sprintf("Varsel %d", i), i%2 == 0)
			}
		})
		s := w.service()
		v := overview.Viewer{CitizenID: me, SubjectID: me, Lang: "nb"}
		for _, limit := range []int{1, 4, 7, 23, 100} {
			var got []string
			var prev time.Time
			cursor := ""
			for range 100 {
				page, err := s.Cases(t.Context(), v, "", overview.PageRequest{Cursor: cursor, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range page.Items {
					if !prev.IsZero() && c.UpdatedAt.After(prev) {
						t.Errorf("limit %d: out of order", limit)
					}
					prev = c.UpdatedAt
					got = append(got, c.ID)
				}
				if page.NextCursor == nil {
					break
				}
				cursor = *page.NextCursor
			}
			if !sameSet(got, want) || len(got) != len(want) {
				t.Errorf("limit %d: %d items, want each of %d exactly once", limit, len(got), len(want))
			}
		}
		count := func(when string, unread bool) int {
			n, cursor := 0, ""
			for {
				var next *string
				if when == "notifications" {
					page, err := s.Notifications(t.Context(), v, unread, overview.PageRequest{Cursor: cursor, Limit: 3})
					if err != nil {
						t.Fatal(err)
					}
					n, next = n+len(page.Items), page.NextCursor
				} else {
					page, err := s.Bookings(t.Context(), v, when, overview.PageRequest{Cursor: cursor, Limit: 3})
					if err != nil {
						t.Fatal(err)
					}
					n, next = n+len(page.Items), page.NextCursor
				}
				if next == nil {
					return n
				}
				cursor = *next
			}
		}
		if up, past := count(overview.WhenUpcoming, false), count(overview.WhenPast, false); up+past != 23 || past == 0 || up == 0 {
			t.Errorf("bookings: %d upcoming + %d past, want 23 in all", up, past)
		}
		if all, unread := count("notifications", false), count("notifications", true); all != 23 || unread != 11 {
			t.Errorf("notifications: %d, %d unread; want 23, 11", all, unread)
		}
		for _, bad := range []overview.PageRequest{{Cursor: "not-a-cursor"}, {Cursor: "bm90fGEtY3Vyc29y"}} {
			if _, err := s.Cases(t.Context(), v, "", bad); !apperr.Is(err, apperr.CodeInvalid) {
				t.Errorf("cursor %q: %v, want invalid", bad.Cursor, err)
			}
		}
		if _, err := s.Cases(t.Context(), v, "nonsense", overview.PageRequest{}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("status filter nonsense: %v, want invalid", err)
		}
	})
}

func TestForeignAndUnknownIDsAreNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		s := d.w.service()
		other := d.w.addCase(caseSpec{agency: d.plan, citizen: d.other, status: cases.StatusReceived})
		v := overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "nb"}
		for _, id := range []string{other, store.NewID(), "1", "../etc", ""} {
			if _, err := s.Case(t.Context(), v, id, nil); !apperr.Is(err, apperr.CodeNotFound) {
				t.Errorf("case %q: %v, want not_found", id, err)
			}
		}
		// The child's case is the guardian's to open; the child's guardian sees it marked.
		c, err := s.Case(t.Context(), v, d.childCase, nil)
		if err != nil || c.Subject == nil || c.Subject.ID != d.child {
			t.Errorf("child's case: %+v, %v", c, err)
		}
	})
}

func TestFirstOpenIsRecordedOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		s := d.w.service()
		v := overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "nb"}
		var mu sync.Mutex
		var hooks []string
		hook := func(ctx context.Context, tx bun.Tx, seen overview.FirstSeen) error {
			mu.Lock()
			defer mu.Unlock()
			hooks = append(hooks, seen.AgencyID+"/"+seen.CaseID)
			return nil
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				c, err := s.Case(t.Context(), v, d.awaiting, hook)
				if err == nil && c.SeenAt == nil {
					err = fmt.Errorf("no seenAt")
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		var rows int
		if err := db.NewRaw(`SELECT COUNT(*) FROM case_seen WHERE case_id = ?`, d.awaiting).Scan(t.Context(), &rows); err != nil || rows != 1 {
			t.Errorf("case_seen rows = %d (%v), want 1", rows, err)
		}
		if len(hooks) != 1 || hooks[0] != d.plan+"/"+d.awaiting {
			t.Errorf("first-seen hook calls = %v, want one for the agency", hooks)
		}
		c, err := s.Case(t.Context(), v, d.awaiting, hook)
		if err != nil || c.SeenAt == nil || len(c.Events) != 0 || len(hooks) != 1 {
			t.Errorf("second open: %+v %v, hooks %d", c, err, len(hooks))
		}
	})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		s := d.w.service()
		v := overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "nb"}
		for q, want := range map[string][]string{
			"storgata":   {"case:" + d.awaiting},
			"STUDIO":     {"booking:" + d.soonBooking},
			"tøyen":      {"key:" + d.key},
			"vedtak":     {"notification:" + d.unread},
			"skoleplass": {"case:" + d.childCase},
			"100%":       nil,
		} {
			hits, err := s.Search(t.Context(), v, q)
			if err != nil {
				t.Fatal(q, err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Kind+":"+h.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("search %q = %v, want %v", q, got, want)
			}
		}
		if _, err := s.Search(t.Context(), v, "x"); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("one-letter search: %v, want invalid", err)
		}
	})
}

// TestFeedReplayRebuildsTheLists replays the changes feed from the first cursor into a map, the way
// the PWA's offline copy does, and compares it with what the list endpoints show.
func TestFeedReplayRebuildsTheLists(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		me := w.citizen("Kari", date(1985, 1, 1), "Sentrum")
		s := w.service().WithFeedPage(16)
		v := overview.Viewer{CitizenID: me, SubjectID: me, Lang: "nb"}
		start := build(t, s, v).Cursor

		d := newDemo(t, db)
		_ = d
		ag := w.agency("bib", "Biblioteket")
		kid := w.citizen("Barn", date(2018, 1, 1), "Sentrum")
		w.relation(ag, "guardian", me, kid, nil)
		var gone string
		for i := range 30 {
			id := w.addCase(caseSpec{agency: ag, citizen: me, status: cases.StatusReceived})
			if i == 3 {
				gone = id
			}
			if i%4 == 0 {
				w.setCaseStatus(id, me, cases.StatusDecided)
			}
			w.addBooking(ag, me, "", "Rom", w.now.Add(time.Duration(i-10)*time.Hour), bookings.StatusConfirmed)
			w.addNotification(ag, me, "Hei", i%3 == 0)
		}
		w.addCase(caseSpec{agency: ag, citizen: kid, status: cases.StatusAwaitingCitizen})
		w.addKey(ag, me, "Filial", keys.Window{StartsAt: w.now, EndsAt: w.now.Add(time.Hour)})
		w.addTile(ag, "Alle", tiles.Targeting{}, "published")
		w.addTile(ag, "Frogner", tiles.Targeting{Districts: []string{"Frogner"}}, "published")
		w.deleteCase(gone, me)

		lists := map[string]string{}
		put := func(kind, id string, v any) {
			b, _ := json.Marshal(v)
			lists[kind+":"+id] = string(b)
		}
		all := overview.PageRequest{Limit: overview.MaxLimit}
		cs, _ := s.Cases(t.Context(), v, "", all)
		for _, c := range cs.Items {
			put("case", c.ID, c)
		}
		for _, when := range []string{overview.WhenUpcoming, overview.WhenPast} {
			bs, _ := s.Bookings(t.Context(), v, when, all)
			for _, b := range bs.Items {
				put("booking", b.ID, b)
			}
		}
		ks, _ := s.Keys(t.Context(), v, all)
		for _, k := range ks.Items {
			put("key", k.ID, k)
		}
		ns, _ := s.Notifications(t.Context(), v, false, all)
		for _, n := range ns.Items {
			put("notification", n.ID, n)
		}
		ts, _ := s.Tiles(t.Context(), v, all)
		for _, tl := range ts.Items {
			put("tile", tl.ID, tl)
		}
		if len(lists) != 29+1+30+30+1+3 { // cases (one deleted) and the child's, bookings, notifications, the key, three tiles (the demo's two untargeted or child-aged)
			t.Errorf("lists hold %d objects", len(lists))
		}
		state := map[string]string{}
		cursor, pages := start, 0
		drain := func() {
			for {
				delta, err := s.Changes(t.Context(), v, cursor)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, c := range delta.Changes {
					k := c.Kind + ":" + c.ID
					if c.Op == changes.OpDelete {
						delete(state, k)
						continue
					}
					b, _ := json.Marshal(c.Data)
					state[k] = string(b)
				}
				cursor = delta.Cursor
				if !delta.More {
					return
				}
			}
		}
		// On PostgreSQL other tests' open transactions may hold the feed's horizon back a moment.
		for deadline := time.Now().Add(10 * time.Second); ; {
			drain()
			if maps.Equal(state, lists) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !maps.Equal(state, lists) {
			for k := range lists {
				if state[k] != lists[k] {
					t.Errorf("%s: feed %s, list %s", k, state[k], lists[k])
				}
			}
			for k := range state {
				if _, ok := lists[k]; !ok {
					t.Errorf("%s only in the feed", k)
				}
			}
		}
		if pages < 2 {
			t.Errorf("the replay took %d page(s); the test wants several", pages)
		}
		// Nothing new: the feed tells the client nothing it does not have (on PostgreSQL it may send
		// again what other tests' open transactions keep beyond the safe point), and the cursor stays usable.
		delta, err := s.Changes(t.Context(), v, cursor)
		if err != nil || delta.More {
			t.Fatalf("caught-up feed: %+v, %v", delta, err)
		}
		if db.Kind == store.SQLite && len(delta.Changes) != 0 {
			t.Errorf("caught-up feed on SQLite: %+v", delta)
		}
		for _, c := range delta.Changes {
			b, _ := json.Marshal(c.Data)
			if k := c.Kind + ":" + c.ID; (c.Op == changes.OpDelete && state[k] != "") || (c.Op != changes.OpDelete && state[k] != string(b)) {
				t.Errorf("caught-up feed: %s %s, the client has %s", c.Op, k, state[k])
			}
		}
	})
}

func TestExpiredCursorIsGone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		me := w.citizen("Kari", date(1985, 1, 1), "Sentrum")
		s := w.service()
		v := overview.Viewer{CitizenID: me, SubjectID: me, Lang: "nb"}
		cursor := build(t, s, v).Cursor
		if _, err := s.Changes(t.Context(), v, cursor); err != nil {
			t.Fatal(err)
		}
		w.now = w.now.Add(changes.Retention + time.Hour)
		if _, err := s.Changes(t.Context(), v, cursor); !apperr.Is(err, apperr.CodeGone) {
			t.Errorf("cursor past retention: %v, want gone", err)
		}
		for _, bad := range []string{"", "junk", "YzEuMS4y"} {
			if _, err := s.Changes(t.Context(), v, bad); !apperr.Is(err, apperr.CodeInvalid) {
				t.Errorf("cursor %q: %v, want invalid", bad, err)
			}
		}
	})
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// TestSearchFindsTiles: a search covers the services offered to the reader, in the language they
// read them, ignoring case and accents, and never a tile aimed at someone else.
func TestSearchFindsTiles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		me := w.citizen("Kari", date(1985, 1, 1), "Sentrum")
		ag := w.agency("bib", "Biblioteket")
		card := w.addTile(ag, "Bibliotekkort", tiles.Targeting{}, "published")
		kindergarten := w.addTile(ag, "Søk barnehageplass", tiles.Targeting{}, "published")
		w.addTile(ag, "Barnehage i Frogner", tiles.Targeting{Districts: []string{"Frogner"}}, "published")
		w.addTile(ag, "Barnehage, utkast", tiles.Targeting{}, "draft")
		sami := w.addTile(ag, "Samisk bibliotek", tiles.Targeting{}, "published")
		w.tx(func(tx bun.Tx) error {
			return texts.Save(w.ctx, tx, "tile", sami, texts.Fields{"title": {"nb": "Samisk bibliotek", "se": "Sámi girjerádju"}})
		})
		urdu := w.addTile(ag, "Bibliotek på urdu", tiles.Targeting{}, "published")
		w.tx(func(tx bun.Tx) error {
			return texts.Save(w.ctx, tx, "tile", urdu, texts.Fields{"title": {"nb": "Bibliotek på urdu", "ur": "کتب خانہ"}})
		})
		s := w.service()
		for _, tc := range []struct {
			lang, q string
			want    []string
		}{
			{"nb", "bibliotekkort", []string{card}},
			{"nb", "BARNEHAGE", []string{kindergarten}}, // not Frogner's, not the draft
			{"nb", "sok barnehageplass", []string{kindergarten}},
			{"se", "sami girjeradju", []string{sami}},
			{"ur", "کتب", []string{urdu}},
			{"nb", "girjerádju", nil}, // a bokmål reader sees the bokmål title
		} {
			hits, err := s.Search(t.Context(), overview.Viewer{CitizenID: me, SubjectID: me, Lang: tc.lang}, tc.q)
			if err != nil {
				t.Fatal(tc.q, err)
			}
			var got []string
			for _, h := range hits {
				if h.Kind != "tile" || h.Link == "" || h.Agency == nil {
					t.Errorf("search %q: hit %+v", tc.q, h)
				}
				got = append(got, h.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("search %q in %s = %v, want %v", tc.q, tc.lang, got, tc.want)
			}
		}
	})
}
