package app_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/files"
	"minside/backend/internal/ideas"
	"minside/backend/internal/store"
	"minside/backend/internal/uploads"
)

// TestOrphanedBytesAreSweptAndNamedOnesKept: the portal sweeps the folders of attachments, idea
// photos and report photos for bytes no row names (a write cut off after storing them), and
// leaves the photo of a stored idea alone.
func TestOrphanedBytesAreSweptAndNamedOnesKept(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		author := p.Citizen(t, apptest.PID(t, 1984, 31), "Mohammed Ali")
		var img bytes.Buffer
		if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
			t.Fatal(err)
		}
		var idea *ideas.Idea
		if err := p.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) (err error) {
			idea, err = p.App.Ideas.SubmitTx(ctx, tx, author.ID, ideas.Draft{Title: "Benker", Body: "Flere benker langs elva.", Area: "environment",
				Photo: &uploads.Input{Name: "benk.png", Data: img.Bytes()}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		lost := []string{"attachments/" + store.NewID(), "ideas/" + store.NewID(), "report-photos/" + store.NewID(), "ideas/not-a-row-id"}
		for _, k := range lost {
			if err := p.App.Files.Put(ctx, k, strings.NewReader("x"), 1, "image/png"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := p.App.Orphans.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("within the grace: %d deleted, %v; want none", n, err)
		}
		p.Clock.Advance(files.OrphanGrace + time.Minute)
		// The portal's own sweeper starts with it and may run its first sweep only now, on the
		// same clock: between the two sweeps every orphan goes once, so the count is checked
		// against the files that are gone rather than against this sweep alone.
		if n, err := p.App.Orphans.Sweep(ctx); err != nil || n > len(lost) {
			t.Fatalf("after the grace: %d deleted, %v; want at most %d", n, err, len(lost))
		}
		for _, k := range lost {
			if _, err := p.App.Files.Open(ctx, k); !errors.Is(err, files.ErrNotFound) {
				t.Errorf("%s: %v, want it gone", k, err)
			}
		}
		rc, err := p.App.Files.Open(ctx, *idea.PhotoKey)
		if err != nil {
			t.Fatalf("the idea's own photo: %v", err)
		}
		_ = rc.Close()
	})
}
