package translate_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/translate"
)

// TestPublishTakesOnlyPlaceholdersPlainTextAndBoundedLength: a translation is text with the
// source's own {{.Name}} placeholders and nothing else a template could run, no control
// characters but newline and tab, and no longer than its budget (3 × the source, at least the
// source + 60 characters, at most 2000). Each refusal is a 422 on the form; nothing is stored.
func TestPublishTakesOnlyPlaceholdersPlainTextAndBoundedLength(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		pidT := apptest.PID(t, 1977, 7)
		grant(t, p, p.Citizen(t, pidT, "Áile Jorgaleaddji"), translate.RoleTranslator, "se")
		tc := p.LoginAs(t, pidT)
		publish := func(id, text string) *apptest.Response {
			return tc.Send(t, http.MethodPut, "/api/v1/translate/se/messages/"+id, map[string]any{"forms": map[string]string{"other": text}})
		}
		// "Oversikt" has 8 characters: its budget is 68. "Hei, {{.Name}}" has 14: 74.
		for _, b := range []struct{ id, text string }{
			{"ui.nav.overview", `{{printf "%s" "Oppalaš"}}`},
			{"ui.nav.overview", `{{"Oppalaš"}}`},
			{"ui.nav.overview", `{{template "x"}}`},
			{"ui.nav.overview", `{{define "x"}}y{{end}}Oppalaš`},
			{"ui.nav.overview", `{{/* note */}}Oppalaš`},
			{"ui.nav.overview", `{{.Name}}`},
			{"ui.nav.overview", "Oppa\x00laš"},
			{"ui.nav.overview", "Oppa\alaš"},
			{"ui.nav.overview", "Oppalaš\r\n"},
			{"ui.nav.overview", "Oppa\u0085laš"},
			{"ui.nav.overview", strings.Repeat("á", 69)},
			{"ui.nav.overview", strings.Repeat("a", 5000)},
			{"ui.overview.hello", `Bures, {{printf "%v" .Name}}`},
			{"ui.overview.hello", `Bures, {{.Name | printf "%q"}}`},
			{"ui.overview.hello", `Bures, {{call .Name}}`},
			{"ui.overview.hello", `Bures, {{.Name}}{{if .Name}}!{{end}}`},
			{"ui.overview.hello", `Bures, {{.Name}}{{with .Name}}{{.}}{{end}}`},
			{"ui.overview.hello", `Bures, {{.Name}}{{range .Name}}x{{end}}`},
			{"ui.overview.hello", `Bures, {{$x := .Name}}{{$x}}{{.Name}}`},
			{"ui.overview.hello", `Bures, {{.Name.First}}{{.Name}}`},
			{"ui.overview.hello", `Bures, {{.Name}} {{.}}`},
			{"ui.overview.hello", `Bures, {{- .Name}}`},
			{"ui.overview.hello", `Bures, {{.Name}} {{.Other}}`},
		} {
			r := publish(b.id, b.text).Status(t, http.StatusUnprocessableEntity)
			if got := pointers(t, r); len(got) == 0 || got[0] != "/forms/other" {
				t.Errorf("%s %q: pointers %v, want /forms/other", b.id, b.text, got)
			}
		}
		for body, pointer := range map[string]string{
			`null`: "", `{"forms":{"other":"x"},"colour":1}`: "/colour", `{"forms":{"other":5}}`: "/forms",
			`{"forms":{"other":"x"},"needsReview":"yes"}`: "/needsReview", `{"forms":{"other":"x"},"forms":{"other":"y"}}`: "/forms",
		} {
			r := tc.Send(t, http.MethodPut, "/api/v1/translate/se/messages/ui.nav.overview", json.RawMessage(body)).Status(t, http.StatusUnprocessableEntity)
			var pb problemWithFields
			r.JSON(t, &pb)
			if len(pb.Errors) != 1 || pb.Errors[0].Pointer != pointer {
				t.Errorf("body %s: errors %+v, want one on %q", body, pb.Errors, pointer)
			}
		}
		var hist struct{ Changes []struct{} }
		tc.Get(t, "/api/v1/translate/se/history").Status(t, http.StatusOK).JSON(t, &hist)
		if len(hist.Changes) != 0 {
			t.Fatalf("refused translations stored %d changes", len(hist.Changes))
		}
		for _, b := range []struct{ id, text string }{
			{"ui.nav.overview", strings.Repeat("á", 68)},
			{"ui.nav.overview", "Oppa-\nlaš\t"},
			{"ui.overview.hello", "Bures, {{ .Name }}"},
			{"ui.overview.hello", "مرحبا {{.Name}}"},
		} {
			publish(b.id, b.text).Status(t, http.StatusOK)
		}
	})
}
