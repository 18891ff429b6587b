package files_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"minside/backend/internal/files"
)

// TestStores runs the one contract against every implementation: the disk in a temp directory,
// S3 against an in-process fake (MinIO itself cannot run in this sandbox: no container runtime).
func TestStores(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) files.Store{
		"disk": func(t *testing.T) files.Store {
			d, err := files.NewDisk(t.TempDir() + "/files")
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		"s3": newFakeS3,
	} {
		t.Run(name, func(t *testing.T) { contract(t, open(t)) })
	}
}

func newFakeS3(t *testing.T) files.Store {
	backend := s3mem.New()
	if err := backend.CreateBucket("minside"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s, err := files.NewS3(files.S3Options{Endpoint: srv.URL, Region: "us-east-1", Bucket: "minside", AccessKey: "test", SecretKey: "test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func contract(t *testing.T, s files.Store) {
	ctx := context.Background()
	read := func(key string) ([]byte, error) {
		rc, err := s.Open(ctx, key)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}

	if _, err := read("att/missing"); !errors.Is(err, files.ErrNotFound) {
		t.Fatalf("open missing: %v, want ErrNotFound", err)
	}
	body := bytes.Repeat([]byte("%PDF-1.7 min side "), 1000)
	if err := s.Put(ctx, "att/0190-a", bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	got, err := read("att/0190-a")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read back: %d bytes, err %v; want %d bytes", len(got), err, len(body))
	}
	// Put replaces.
	if err := s.Put(ctx, "att/0190-a", strings.NewReader("second"), 6, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if got, err := read("att/0190-a"); err != nil || string(got) != "second" {
		t.Fatalf("after replace: %q, %v", got, err)
	}
	// Other keys are untouched by a delete; a deleted key is gone; deleting again is fine.
	if err := s.Put(ctx, "att/0190-b", strings.NewReader("other"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "att/0190-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := read("att/0190-a"); !errors.Is(err, files.ErrNotFound) {
		t.Fatalf("after delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "att/0190-a"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if got, err := read("att/0190-b"); err != nil || string(got) != "other" {
		t.Fatalf("neighbour: %q, %v", got, err)
	}
	// A short reader is refused and leaves nothing under the key.
	if err := s.Put(ctx, "att/0190-c", strings.NewReader("abc"), 10, "text/plain"); err == nil {
		t.Fatal("put with fewer bytes than its size succeeded")
	}
	if _, err := read("att/0190-c"); !errors.Is(err, files.ErrNotFound) {
		t.Fatalf("after a failed put: %v, want ErrNotFound", err)
	}
	listing(t, s)
	// Keys that could escape or mean something else are refused by every operation.
	for _, bad := range []string{"", "../etc/passwd", "att/../x", "/abs", "a b", "att//x", "att/x/"} {
		if err := s.Put(ctx, bad, strings.NewReader("x"), 1, "text/plain"); err == nil {
			t.Errorf("put %q accepted", bad)
		}
		if _, err := s.Open(ctx, bad); err == nil || errors.Is(err, files.ErrNotFound) {
			t.Errorf("open %q: %v, want a key error", bad, err)
		}
		if err := s.Delete(ctx, bad); err == nil {
			t.Errorf("delete %q accepted", bad)
		}
	}
}

// listing: List names every key under a folder, nested ones too, with when it was written, and
// nothing beside it; an error from the callback ends the listing.
func listing(t *testing.T, s files.Store) {
	ctx := context.Background()
	for _, k := range []string{"photos/p1", "photos/p2", "photos/more/p3", "photosx/p4", "other/p5"} {
		if err := s.Put(ctx, k, strings.NewReader("x"), 1, "image/png"); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	if err := s.List(ctx, "photos/", func(key string, modified time.Time) error {
		if time.Since(modified) > time.Hour || time.Until(modified) > time.Hour {
			t.Errorf("%s modified %v, want about now", key, modified)
		}
		keys = append(keys, key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{"photos/more/p3", "photos/p1", "photos/p2"}; !slices.Equal(keys, want) {
		t.Fatalf("listed %v, want %v", keys, want)
	}
	if err := s.List(ctx, "nothing-here/", func(key string, _ time.Time) error {
		t.Errorf("listed %s under an empty prefix", key)
		return nil
	}); err != nil {
		t.Fatalf("empty prefix: %v", err)
	}
	stop := errors.New("enough")
	calls := 0
	if err := s.List(ctx, "photos/", func(string, time.Time) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("an error from the callback: %v after %d calls, want it back after 1", err, calls)
	}
}
