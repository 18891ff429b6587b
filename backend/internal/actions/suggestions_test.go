package actions_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/texts"
)

// suggestionOf gives owner a suggestion of a school rule whose link is prefilled with the child's name.
func (w *world) suggestionOf(t *testing.T, owner string) string {
	t.Helper()
	rule := suggesttest.AddRule(t, w.db, suggesttest.Rule{AgencyID: w.agency, Ext: "skolestart-" + store.NewID(), Area: "school",
		Action: suggest.Action{Type: "link", Link: "https://skole.example.no/innskriving", Prefill: map[string]string{"barn": "{child.name}"}},
		Texts:  texts.Fields{"title": {"nb": "Skolestart"}}}, t0)
	return suggesttest.AddSuggestion(t, w.db, rule, owner, map[string]suggest.Value{"child.name": {Text: "Ola"}}, t0)
}

func choose(t *testing.T, svc *actions.Service, db *store.DB, v actions.For, id string, c actions.Choice) (*actions.Chosen, error) {
	t.Helper()
	var out *actions.Chosen
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = svc.ChooseSuggestion(ctx, tx, v, id, c, "req-1", t0)
		return err
	})
	return out, err
}

func suggestionRow(t *testing.T, db *store.DB, id string) suggest.Row {
	t.Helper()
	var row suggest.Row
	if err := db.NewSelect().Model(&row).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return row
}

func TestSuggestionChoices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := actions.New(actions.Deps{Webhooks: webhooks})

		t.Run("each choice is stored, fed to other devices and audited", func(t *testing.T) {
			w := newWorld(t, db)
			id := w.suggestionOf(t, w.parent)
			until := t0.Add(7 * 24 * time.Hour)
			steps := []struct {
				c      actions.Choice
				state  string
				action string
			}{
				{actions.Choice{Kind: actions.ChoiceDismiss, Reason: " Gjelder ikke oss "}, suggest.StateDismissed, "suggestion.dismiss"},
				{actions.Choice{Kind: actions.ChoiceSnooze, Until: &until}, suggest.StateActive, "suggestion.snooze"},
				{actions.Choice{Kind: actions.ChoiceDone}, suggest.StateDone, "suggestion.done"},
			}
			for i, s := range steps {
				got, err := choose(t, svc, db, own(w.parent), id, s.c)
				if err != nil {
					t.Fatalf("%s: %v", s.c.Kind, err)
				}
				row := suggestionRow(t, db, id)
				if got.State != s.state || row.State != s.state {
					t.Errorf("%s: answered %q, stored %q, want %q", s.c.Kind, got.State, row.State, s.state)
				}
				if n := count(t, db, "changes", "object_id = ? AND kind = 'suggestion'", id); n != i+2 { // +1: the suggestion's own
					t.Errorf("%s: %d change rows", s.c.Kind, n)
				}
				if n := count(t, db, "audit_log", "object_id = ? AND action = ? AND actor_kind = 'citizen' AND actor_id = ? AND subject_id = ?",
					id, s.action, w.parent, w.parent); n != 1 {
					t.Errorf("%s: %d audit rows", s.c.Kind, n)
				}
			}
			if row := suggestionRow(t, db, id); row.Reason != "Gjelder ikke oss" && row.Reason != " Gjelder ikke oss " {
				t.Errorf("reason = %q", row.Reason)
			}
			if n := count(t, db, "outbox", "topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%"+w.agency+"%"); n != 0 {
				t.Errorf("%d webhooks before anyone acted", n)
			}
		})

		t.Run("act: done, the prefilled link, one webhook without a person", func(t *testing.T) {
			w := newWorld(t, db)
			id := w.suggestionOf(t, w.parent)
			for range 2 {
				got, err := choose(t, svc, db, own(w.parent), id, actions.Choice{Kind: actions.ChoiceAct})
				if err != nil {
					t.Fatal(err)
				}
				if got.State != suggest.StateDone || got.ActedAt == nil || !got.ActedAt.Equal(t0) || got.Link != "https://skole.example.no/innskriving?barn=Ola" {
					t.Fatalf("act = %+v", got)
				}
			}
			var payloads []string
			if err := db.NewSelect().TableExpr("outbox").ColumnExpr("CAST(payload AS TEXT)").Where("topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%"+w.agency+"%").
				Scan(context.Background(), &payloads); err != nil {
				t.Fatal(err)
			}
			if len(payloads) != 1 {
				t.Fatalf("%d webhook rows, want one for the first act", len(payloads))
			}
			var outer struct{ Body string }
			var p struct {
				Type string
				Data map[string]any
			}
			if err := json.Unmarshal([]byte(payloads[0]), &outer); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(outer.Body), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != "suggestion.acted" || p.Data["suggestion"] != id || !strings.HasPrefix(p.Data["rule"].(string), "skolestart-") ||
				p.Data["by"] != "citizen" || strings.Contains(payloads[0], "Kari") || strings.Contains(payloads[0], w.parent) {
				t.Errorf("webhook payload %s", payloads[0])
			}
		})

		t.Run("bad input: a field error and nothing changes", func(t *testing.T) {
			w := newWorld(t, db)
			id := w.suggestionOf(t, w.parent)
			past, far := t0.Add(-time.Minute), t0.Add(400*24*time.Hour)
			for name, c := range map[string]actions.Choice{
				"snooze without a date": {Kind: actions.ChoiceSnooze},
				"snooze into the past":  {Kind: actions.ChoiceSnooze, Until: &past},
				"snooze beyond a year":  {Kind: actions.ChoiceSnooze, Until: &far},
				"a reason too long":     {Kind: actions.ChoiceDismiss, Reason: strings.Repeat("x", actions.MaxDismissReason+1)},
				"a reason with control": {Kind: actions.ChoiceDismiss, Reason: "a\x00b"},
			} {
				_, err := choose(t, svc, db, own(w.parent), id, c)
				ae, ok := apperr.As(err)
				if !ok || ae.Code != apperr.CodeInvalid || len(ae.Fields) != 1 {
					t.Errorf("%s: %v", name, err)
				}
			}
			if row := suggestionRow(t, db, id); row.State != suggest.StateActive || row.SnoozedUntil != nil ||
				count(t, db, "changes", "object_id = ?", id) != 1 || count(t, db, "audit_log", "object_id = ?", id) != 0 {
				t.Errorf("a refused choice changed something: %+v", row)
			}
		})

		t.Run("someone else's, out of scope, withdrawn or unknown: not found", func(t *testing.T) {
			w := newWorld(t, db)
			strangers := w.suggestionOf(t, w.stranger)
			mine := w.suggestionOf(t, w.parent)
			withdrawn := w.suggestionOf(t, w.parent)
			if _, err := db.NewUpdate().Model((*suggest.Row)(nil)).Set("state = ?", suggest.StateWithdrawn).Where("id = ?", withdrawn).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			for name, tc := range map[string]struct {
				v  actions.For
				id string
			}{
				"another's":          {own(w.parent), strangers},
				"outside a fullmakt": {actingFor(w.stranger, w.parent, []string{"health"}), mine},
				"withdrawn":          {own(w.parent), withdrawn},
				"not an id":          {own(w.parent), "nope"},
				"no such suggestion": {own(w.parent), store.NewID()},
			} {
				_, err := choose(t, svc, db, tc.v, tc.id, actions.Choice{Kind: actions.ChoiceDone})
				if ae, ok := apperr.As(err); !ok || ae.Code != apperr.CodeNotFound {
					t.Errorf("%s: %v", name, err)
				}
			}
			got, err := choose(t, svc, db, actingFor(w.stranger, w.parent, []string{"school"}), mine, actions.Choice{Kind: actions.ChoiceDone})
			if err != nil || got.State != suggest.StateDone {
				t.Fatalf("within the fullmakt: %+v %v", got, err)
			}
			if n := count(t, db, "audit_log", "object_id = ? AND action = 'suggestion.done' AND actor_kind = 'representative' AND actor_id = ? AND subject_id = ?",
				mine, w.stranger, w.parent); n != 1 {
				t.Errorf("%d representative audit rows", n)
			}
		})

		t.Run("shown: once, only one's own", func(t *testing.T) {
			w := newWorld(t, db)
			a, b := w.suggestionOf(t, w.parent), w.suggestionOf(t, w.stranger)
			mark := func(now time.Time, ids ...string) (int, error) {
				var n int
				err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
					var err error
					n, err = svc.MarkSuggestionsShown(ctx, tx, own(w.parent), ids, now)
					return err
				})
				return n, err
			}
			if n, err := mark(t0, a, b); err != nil || n != 1 {
				t.Fatalf("marked %d, %v", n, err)
			}
			if n, err := mark(t0.Add(time.Hour), a); err != nil || n != 0 {
				t.Fatalf("marked again %d, %v", n, err)
			}
			if row := suggestionRow(t, db, a); row.ShownAt == nil || !row.ShownAt.Equal(t0) {
				t.Errorf("shown_at = %v", row.ShownAt)
			}
			if row := suggestionRow(t, db, b); row.ShownAt != nil {
				t.Error("another's suggestion was marked shown")
			}
			for _, ids := range [][]string{nil, {"nope"}} {
				if _, err := mark(t0, ids...); err == nil {
					t.Errorf("%v accepted", ids)
				}
			}
		})
	})
}
