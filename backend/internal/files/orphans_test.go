package files_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/files"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestOrphansDeletesOnlyOldFilesNoRowNames: the bytes of a write whose transaction never
// committed are deleted once they are older than the grace; a file its row names, and a young
// file whose write may still be in flight, stay.
func TestOrphansDeletesOnlyOldFilesNoRowNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE pictures (id TEXT PRIMARY KEY, file_key TEXT)"); err != nil {
			t.Fatal(err)
		}
		// Row ids are UUIDs, as store.NewID makes them.
		const named, nofile, lost = "pictures/0190aaaa-0000-7000-8000-000000000001", "pictures/0190aaaa-0000-7000-8000-000000000002", "pictures/0190aaaa-0000-7000-8000-000000000003"
		if _, err := db.ExecContext(ctx, "INSERT INTO pictures (id, file_key) VALUES ('0190aaaa-0000-7000-8000-000000000001', 'pictures/0190aaaa-0000-7000-8000-000000000001'), ('0190aaaa-0000-7000-8000-000000000002', NULL)"); err != nil {
			t.Fatal(err)
		}
		disk, err := files.NewDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{named, nofile, lost, "pictures/not-a-row-id", "elsewhere/lost"} {
			if err := disk.Put(ctx, k, strings.NewReader("png"), 3, "image/png"); err != nil {
				t.Fatal(err)
			}
		}
		owner := files.Owner{Prefix: "pictures/", Table: "pictures", IDColumn: "id", KeyColumn: "file_key"}
		now := time.Now()
		sweep := files.NewOrphans(db, disk, []files.Owner{owner}, func() time.Time { return now }, nil)

		// Just written: a transaction may still be about to name them.
		if n, err := sweep.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("young files: %d deleted, %v; want none", n, err)
		}
		now = now.Add(files.OrphanGrace + time.Minute)
		if n, err := sweep.Sweep(ctx); err != nil || n != 3 {
			t.Fatalf("old files: %d deleted, %v; want 3 (the lost one, the one its row does not name, one no row could name)", n, err)
		}
		exists := func(key string) bool {
			rc, err := disk.Open(ctx, key)
			if errors.Is(err, files.ErrNotFound) {
				return false
			}
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, rc)
			_ = rc.Close()
			return true
		}
		for key, want := range map[string]bool{named: true, nofile: false, lost: false, "pictures/not-a-row-id": false, "elsewhere/lost": true} {
			if got := exists(key); got != want {
				t.Errorf("%s exists = %v, want %v", key, got, want)
			}
		}
		if n, err := sweep.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("a second sweep: %d deleted, %v; want none", n, err)
		}
	})
}

// TestOrphansLooksUpInBatches: more orphans than one lookup holds (500) are all found.
const orphanBatchPlusOne = 501

func TestOrphansLooksUpInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE pictures (id TEXT PRIMARY KEY, file_key TEXT)"); err != nil {
			t.Fatal(err)
		}
		disk, err := files.NewDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		const lost = orphanBatchPlusOne
		for i := range lost {
			if err := disk.Put(ctx, fmt.Sprintf("pictures/0190aaaa-0000-7000-8000-%012d", i), bytes.NewReader([]byte("x")), 1, "image/png"); err != nil {
				t.Fatal(err)
			}
		}
		owner := files.Owner{Prefix: "pictures/", Table: "pictures", IDColumn: "id", KeyColumn: "file_key"}
		later := time.Now().Add(2 * files.OrphanGrace)
		n, err := files.NewOrphans(db, disk, []files.Owner{owner}, func() time.Time { return later }, nil).Sweep(ctx)
		if err != nil || n != lost {
			t.Fatalf("%d deleted, %v; want %d", n, err, lost)
		}
	})
}
