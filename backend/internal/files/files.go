// Package files keeps the bytes of uploaded files (message attachments, report photos) under
// opaque keys. The database holds what a file is and who may read it; a Store holds only bytes.
// One machine keeps them on its disk; several replicas need shared storage, so an S3-compatible
// bucket implements the same interface.
package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"
)

// ErrNotFound is returned by Open for a key that holds nothing.
var ErrNotFound = errors.New("files: not found")

// Store puts, opens and deletes files by key. Keys are chosen by the portal (never by a client):
// see ValidKey.
type Store interface {
	// Put stores size bytes from r under key, replacing what was there. A failed Put leaves
	// nothing readable under the key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open reads the file under key; ErrNotFound when there is none. The caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the file under key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn with each stored key under prefix (a folder such as "ideas/") and when it was
	// last written, in no particular order; an error from fn ends the listing with that error.
	List(ctx context.Context, prefix string, fn func(key string, modified time.Time) error) error
}

// keyPattern admits slash-separated segments of letters, digits, dash and underscore (a segment
// may carry one dot-suffix): nothing that could climb out of a directory or mean something to S3.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)?(/[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)?){0,7}$`)

// ValidKey reports whether key may name a file.
func ValidKey(key string) bool { return len(key) <= 200 && keyPattern.MatchString(key) }

func checkKey(key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("files: invalid key %q", key)
	}
	return nil
}
