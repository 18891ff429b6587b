package i18n

import (
	"bytes"
	"strings"
	"testing"

	"minside/locales"
)

func TestCheckPassesOnRealLocales(t *testing.T) {
	r, err := Check(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("errors in locales/:\n%s", strings.Join(r.Errors, "\n"))
	}
	for _, c := range r.Coverage {
		// Every shipped translation carries the hash of the source it was made from.
		if c.Outdated != 0 {
			t.Errorf("%s: %d outdated translations", c.Lang, c.Outdated)
		}
		if c.Percent() < 90 {
			t.Errorf("%s: only %.1f %% translated", c.Lang, c.Percent())
		}
	}
	if len(r.Coverage) != len(Languages()) {
		t.Errorf("coverage for %d languages", len(r.Coverage))
	}
}

// translation renders one message of a translation file with the right source hash.
func translation(id, hash string, forms ...string) string {
	s := "[" + id + "]\nhash = \"" + hash + "\"\n"
	for i := 0; i+1 < len(forms); i += 2 {
		s += forms[i] + " = \"" + forms[i+1] + "\"\n"
	}
	return s
}

func TestCheckFindsSeededErrors(t *testing.T) {
	greetHash := SourceHash(Message{Other: "Hei, {{.Name}}"})
	daysHash := SourceHash(Message{One: "{{.Count}} dag igjen", Other: "{{.Count}} dager igjen"})
	nbEnHash := SourceHash(Message{Other: "Bokmål-tekst"})
	onlyHash := SourceHash(Message{Other: "Bare bokmål"})
	// A complete, valid nn and en, so each case below breaks exactly one thing.
	validNN := translation("ui.greeting", greetHash, "other", "Hei, {{.Name}}") +
		translation("ui.nb_en", nbEnHash, "other", "Bokmål-tekst på nynorsk") +
		translation("ui.nb_only", onlyHash, "other", "Berre bokmål") +
		translation("ui.days", daysHash, "one", "{{.Count}} dag att", "other", "{{.Count}} dagar att")
	validEN := strings.ReplaceAll(validNN, "att", "left")
	base := map[string]string{"nn.toml": validNN, "en.toml": validEN, "se.toml": "", "uk.toml": ""}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	tests := []struct {
		name     string
		files    map[string]string
		wantErr  string // substring of one error; empty: no errors expected
		wantWarn string
	}{
		{"valid", with(nil), "", ""},
		{"missing key in nn", with(map[string]string{"nn.toml": strings.Replace(validNN, "[ui.nb_only]", "[ui.nb_gone]", 1)}), "nn: ui.nb_only is missing", ""},
		{"key unknown to nb", with(map[string]string{"se.toml": translation("ui.extra", greetHash, "other", "x")}), "se: ui.extra is not in the source language", ""},
		{"wrong placeholder", with(map[string]string{"en.toml": strings.Replace(validEN, "Hei, {{.Name}}", "Hello, {{.Navn}}", 1)}), "en: ui.greeting [other] uses {{.Navn}}", ""},
		{"lost placeholder", with(map[string]string{"en.toml": strings.Replace(validEN, "Hei, {{.Name}}", "Hello", 1)}), "en: ui.greeting [other] lacks {{.Name}}", ""},
		{"pl lacks few", with(map[string]string{"pl.toml": translation("ui.days", daysHash, "one", "{{.Count}} dzień", "many", "{{.Count}} dni", "other", "{{.Count}} dnia")}), `pl: ui.days lacks plural form "few"`, ""},
		{"ar lacks zero", with(map[string]string{"ar.toml": translation("ui.days", daysHash, "one", "يوم", "two", "يومان", "few", "{{.Count}} أيام", "many", "{{.Count}} يومًا", "other", "{{.Count}} يوم")}), `ar: ui.days lacks plural form "zero"`, ""},
		{"form not in language", with(map[string]string{"so.toml": translation("ui.days", daysHash, "one", "{{.Count}} maalin", "few", "{{.Count}} x", "other", "{{.Count}} maalmood")}), `so: ui.days has form "few", not a plural category`, ""},
		{"plural forms on plain message", with(map[string]string{"ur.toml": translation("ui.nb_only", onlyHash, "one", "a", "other", "b")}), "ur: ui.nb_only has plural forms", ""},
		{"broken template", with(map[string]string{"uk.toml": translation("ui.greeting", greetHash, "other", "Привіт, {{.Name}")}), "uk: ui.greeting [other] is not a valid template", ""},
		{"template action", with(map[string]string{"uk.toml": translation("ui.greeting", greetHash, "other", "Привіт, {{.Name}}{{printf `%v` .Name}}")}), "uk: ui.greeting [other] has a template action that is not a placeholder", ""},
		{"control character", with(map[string]string{"uk.toml": translation("ui.greeting", greetHash, "other", `Привіт,\u0007 {{.Name}}`)}), "uk: ui.greeting [other] has a control character", ""},
		{"too long", with(map[string]string{"uk.toml": translation("ui.greeting", greetHash, "other", strings.Repeat("я", 200)+" {{.Name}}")}), "uk: ui.greeting [other] is longer than", ""},
		{"outdated is a warning", with(map[string]string{"uk.toml": translation("ui.greeting", "sha256:0000000000000000", "other", "Привіт, {{.Name}}")}), "", "uk: ui.greeting is outdated"},
		{"no hash is a warning", with(map[string]string{"uk.toml": "[ui.greeting]\nother = \"Привіт, {{.Name}}\"\n"}), "", "uk: ui.greeting has no hash"},
		{"no en file", with(map[string]string{"en.toml": ""}), "en: en.toml is missing", ""},
		{"review of unknown language", with(map[string]string{ReviewFile: "fr = [\"*\"]\n"}), `review.toml: language "fr" is unknown`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Check(fixtureFS(tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr == "" && !r.OK() {
				t.Errorf("unexpected errors: %q", r.Errors)
			}
			if tt.wantErr != "" && !hasLine(r.Errors, tt.wantErr) {
				t.Errorf("no error %q in %q", tt.wantErr, r.Errors)
			}
			if tt.wantWarn != "" && !hasLine(r.Warnings, tt.wantWarn) {
				t.Errorf("no warning %q in %q", tt.wantWarn, r.Warnings)
			}
		})
	}
}

func TestCheckCoverageAndReport(t *testing.T) {
	greetHash := SourceHash(Message{Other: "Hei, {{.Name}}"})
	files := map[string]string{
		"uk.toml":  translation("ui.greeting", greetHash, "other", "Привіт, {{.Name}}") + translation("ui.nb_en", "sha256:old", "other", "Текст"),
		ReviewFile: "uk = [\"ui.nb_en\"]\n",
	}
	r, err := Check(fixtureFS(files))
	if err != nil {
		t.Fatal(err)
	}
	var uk Coverage
	for _, c := range r.Coverage {
		if c.Lang == "uk" {
			uk = c
		}
	}
	want := Coverage{Lang: "uk", Total: 4, Translated: 2, Missing: 2, Outdated: 1, NeedsReview: 1}
	if uk != want {
		t.Errorf("uk coverage = %+v, want %+v", uk, want)
	}
	if uk.Percent() != 50 {
		t.Errorf("percent = %v", uk.Percent())
	}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{"needs review", "uk", "2/4", "50.0", "warning: uk: ui.nb_en is outdated", "error: nn: ui.nb_en is missing"} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

func TestCheckUnreadable(t *testing.T) {
	if _, err := Check(fixtureFS(map[string]string{"nn.toml": "[[["})); err == nil {
		t.Error("a file that does not parse must be an error, not a report")
	}
}

func TestSourceHashIgnoresDescription(t *testing.T) {
	a := SourceHash(Message{One: "{{.Count}} dag", Other: "{{.Count}} dager"})
	if b := SourceHash(Message{One: "{{.Count}} dag", Other: "{{.Count}} dager"}); a != b {
		t.Error("not deterministic")
	}
	if b := SourceHash(Message{One: "{{.Count}} døgn", Other: "{{.Count}} dager"}); a == b {
		t.Error("a changed form keeps the hash")
	}
	if b := SourceHash(Message{Other: "{{.Count}} dag{{.Count}} dager"}); a == b {
		t.Error("forms are not separated in the hash")
	}
	if !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+16 {
		t.Errorf("format: %q", a)
	}
	// The description is not part of Message at all: loading a source whose description changed
	// keeps every translation current.
	r, err := Check(fixtureFS(map[string]string{"nb.toml": strings.Replace(fixtureFiles["nb.toml"], "Greets the citizen.", "Greets the citizen warmly.", 1),
		"uk.toml": translation("ui.greeting", SourceHash(Message{Other: "Hei, {{.Name}}"}), "other", "Привіт, {{.Name}}")}))
	if err != nil {
		t.Fatal(err)
	}
	if hasLine(r.Warnings, "uk: ui.greeting is outdated") {
		t.Error("a description change made a translation outdated")
	}
}
