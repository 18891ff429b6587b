package translate_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/citizens"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/translate"
)

// grant gives a citizen a role as `minside role grant` does.
func grant(t *testing.T, p *apptest.Portal, c *citizens.Citizen, role, scope string) {
	t.Helper()
	r := &citizens.Role{CitizenID: c.ID, Role: role, Scope: scope, GrantedAt: store.UTC(p.Clock.Now())}
	if _, err := p.DB.NewInsert().Model(r).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type problemWithFields struct {
	Code   string `json:"code"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
	} `json:"errors"`
	Problems []string `json:"problems"`
}

func pointers(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	r.Problem(t)
	var body problemWithFields
	r.JSON(t, &body)
	var out []string
	for _, e := range body.Errors {
		out = append(out, e.Pointer)
	}
	if len(body.Problems) == 0 {
		t.Errorf("422 without the validator's explanations: %s", r.Body)
	}
	return out
}

func uiText(t *testing.T, c *apptest.Client, lang, id string) (text, etag string) {
	t.Helper()
	r := c.Get(t, "/api/v1/i18n/"+lang).Status(t, http.StatusOK)
	var body struct {
		Messages map[string]any `json:"messages"`
	}
	r.JSON(t, &body)
	s, _ := body.Messages[id].(string)
	return s, r.Header.Get("ETag")
}

func TestTranslatorConsoleAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		pidT, pidOther := apptest.PID(t, 1980, 1), apptest.PID(t, 1981, 2)
		translator := p.Citizen(t, pidT, "Ánne Translatør")
		grant(t, p, translator, translate.RoleTranslator, "se")
		p.Citizen(t, pidOther, "Ola Citizen")
		tc := p.LoginAs(t, pidT)
		other := p.LoginAs(t, pidOther)

		// Progress and permissions.
		var langs struct {
			Permitted []string             `json:"permitted"`
			Languages []translate.Progress `json:"languages"`
		}
		tc.Get(t, "/api/v1/translate/languages").Status(t, http.StatusOK).JSON(t, &langs)
		if len(langs.Permitted) != 1 || langs.Permitted[0] != "se" {
			t.Errorf("permitted = %v, want [se]", langs.Permitted)
		}
		var se translate.Progress
		for _, l := range langs.Languages {
			if l.Code == "se" {
				se = l
			}
			if l.Code == "nb" || strings.HasPrefix(l.Code, "x-") {
				t.Errorf("%s offered for translation", l.Code)
			}
		}
		if !se.Permitted || se.Total == 0 || se.Translated+se.Missing != se.Total || len(se.Plurals) != 3 {
			t.Errorf("se progress = %+v", se)
		}

		// Non-translators and other languages: 403; unknown languages: 404.
		other.Get(t, "/api/v1/translate/languages").Status(t, http.StatusForbidden).Problem(t)
		other.Get(t, "/api/v1/translate/se/messages").Status(t, http.StatusForbidden)
		tc.Get(t, "/api/v1/translate/uk/messages").Status(t, http.StatusForbidden)
		tc.Send(t, http.MethodPut, "/api/v1/translate/uk/messages/ui.nav.overview", map[string]any{"forms": map[string]string{"other": "x"}}).Status(t, http.StatusForbidden)
		tc.Get(t, "/api/v1/translate/xx/messages").Status(t, http.StatusNotFound)

		// A plural message lists se's CLDR categories.
		var msgs struct {
			Messages []translate.MessageView `json:"messages"`
		}
		tc.Get(t, "/api/v1/translate/se/messages?filter=all").Status(t, http.StatusOK).JSON(t, &msgs)
		found := false
		for _, m := range msgs.Messages {
			if m.ID == "ui.overview.unread" {
				found = true
				if strings.Join(m.Plurals, ",") != "one,two,other" || m.Source["one"] == "" || m.Description == "" || m.Context == "" {
					t.Errorf("ui.overview.unread view = %+v", m)
				}
			}
		}
		if !found {
			t.Fatal("ui.overview.unread not listed")
		}
		tc.Get(t, "/api/v1/translate/se/messages?filter=missing").Status(t, http.StatusOK).JSON(t, &msgs)
		if len(msgs.Messages) != se.Missing {
			t.Errorf("missing filter gave %d, progress says %d", len(msgs.Messages), se.Missing)
		}
		for _, m := range msgs.Messages {
			if m.Status != translate.StatusMissing {
				t.Errorf("missing filter returned %s with status %s", m.ID, m.Status)
			}
		}
		tc.Get(t, "/api/v1/translate/se/messages?filter=bogus").Status(t, http.StatusUnprocessableEntity)

		// Placeholder and plural mistakes: 422 with a pointer per form, nothing stored.
		bad := []struct {
			id    string
			forms map[string]string
			want  string
		}{
			{"ui.overview.hello", map[string]string{"other": "Bures!"}, "/forms/other"},
			{"ui.overview.hello", map[string]string{"other": "Bures, {{.Nama}}"}, "/forms/other"},
			{"ui.overview.unread", map[string]string{"one": "{{.Count}} dieđáhus", "other": "{{.Count}} dieđáhusa"}, "/forms/two"},
			{"ui.nav.overview", map[string]string{"few": "x", "other": "y"}, "/forms/few"},
		}
		for _, b := range bad {
			r := tc.Send(t, http.MethodPut, "/api/v1/translate/se/messages/"+b.id, map[string]any{"forms": b.forms}).Status(t, http.StatusUnprocessableEntity)
			if b.id == "ui.nav.overview" { // unknown category: answered before the validator runs
				var body problemWithFields
				r.JSON(t, &body)
				if len(body.Errors) != 1 || body.Errors[0].Pointer != b.want {
					t.Errorf("%s %v: errors %+v, want pointer %s", b.id, b.forms, body.Errors, b.want)
				}
				continue
			}
			if got := pointers(t, r); !contains(got, b.want) {
				t.Errorf("%s %v: pointers %v, want %s", b.id, b.forms, got, b.want)
			}
		}

		// Publish: the public messages change without a restart, with a new ETag.
		before, etag := uiText(t, tc, "se", "ui.nav.overview")
		const text = "Oppalašgovva (ođđa)"
		var v translate.MessageView
		tc.Send(t, http.MethodPut, "/api/v1/translate/se/messages/ui.nav.overview", map[string]any{"forms": map[string]string{"other": text}, "needsReview": true}).Status(t, http.StatusOK).JSON(t, &v)
		if v.Status != translate.StatusReview || v.Origin != "override" || v.Hash != v.SourceHash {
			t.Errorf("published view = %+v", v)
		}
		after, etag2 := uiText(t, p.Anonymous(t), "se", "ui.nav.overview")
		if after != text || etag2 == etag {
			t.Errorf("after publish: %q (etag %s → %s), want %q (was %q)", after, etag, etag2, text, before)
		}

		// Export: the language's file with the override merged in, with its source hash.
		r := tc.Get(t, "/api/v1/translate/se/export").Status(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/toml") {
			t.Errorf("export content type %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="se.toml"` {
			t.Errorf("export disposition %q", cd)
		}
		wantBlock := "[ui.nav.overview]\nhash = \"" + v.SourceHash + "\"\nother = \"" + text + "\"\n"
		if !strings.Contains(string(r.Body), wantBlock) {
			t.Errorf("export lacks\n%s", wantBlock)
		}

		// History: who (by name), what, old and new.
		var hist struct {
			Changes []struct {
				MessageID string            `json:"messageId"`
				OldForms  map[string]string `json:"oldForms"`
				NewForms  map[string]string `json:"newForms"`
				ChangedBy string            `json:"changedBy"`
				ChangedAt time.Time         `json:"changedAt"`
			} `json:"changes"`
		}
		tc.Get(t, "/api/v1/translate/se/history").Status(t, http.StatusOK).JSON(t, &hist)
		if len(hist.Changes) != 1 {
			t.Fatalf("history = %+v, want one change (the refused ones store nothing)", hist.Changes)
		}
		h := hist.Changes[0]
		if h.MessageID != "ui.nav.overview" || h.ChangedBy != "Ánne Translatør" || h.NewForms["other"] != text || h.OldForms != nil || h.ChangedAt.IsZero() {
			t.Errorf("history entry = %+v", h)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPublishReachesAnotherReplica runs two portals on one database: a text published through the
// first is served by the second within a few seconds, without a restart.
func TestPublishReachesAnotherReplica(t *testing.T) {
	for kind, url := range storetest.URLs(t) {
		t.Run(string(kind), func(t *testing.T) {
			first := apptest.Start(t, apptest.WithDatabaseURL(url))
			second := apptest.Start(t, apptest.WithDatabaseURL(url))
			pidT := apptest.PID(t, 1979, 3)
			grant(t, first, first.Citizen(t, pidT, "Oksana Translator"), translate.RoleTranslator, "uk")
			tc := first.LoginAs(t, pidT)
			const text = "Огляд (нове)"
			tc.Send(t, http.MethodPut, "/api/v1/translate/uk/messages/ui.nav.overview", map[string]any{"forms": map[string]string{"other": text}}).Status(t, http.StatusOK)

			reader := second.Anonymous(t)
			deadline := time.Now().Add(3 * translate.ReloadInterval)
			for {
				got, _ := uiText(t, reader, "uk", "ui.nav.overview")
				if got == text {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("second replica still serves %q after %s", got, 3*translate.ReloadInterval)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
