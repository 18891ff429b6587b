package texts_test

import (
	"context"
	"reflect"
	"testing"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
)

func TestSaveLoadReplaceDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := store.NewID(), store.NewID()
		must(t, texts.Save(ctx, db, "case", a, texts.Fields{"title": {"nb": "Byggesak", "en": "Building permit"}, "body": {"nb": "Tekst"}}))
		must(t, texts.Save(ctx, db, "case", b, texts.Fields{"title": {"se": "Huksen"}}))
		// Replacing a field drops languages no longer given and leaves other fields alone.
		must(t, texts.Save(ctx, db, "case", a, texts.Fields{"title": {"nn": "Byggjesak"}}))
		got, err := texts.Load(ctx, db, "case", []string{a, b})
		must(t, err)
		want := map[string]texts.Fields{
			a: {"title": {"nn": "Byggjesak"}, "body": {"nb": "Tekst"}},
			b: {"title": {"se": "Huksen"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		must(t, texts.Delete(ctx, db, "case", a))
		got, err = texts.Load(ctx, db, "case", []string{a, b})
		must(t, err)
		if _, left := got[a]; left || len(got[b]) != 1 {
			t.Fatalf("delete removed the wrong texts: %v", got)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
