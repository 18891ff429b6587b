package overview

import (
	"encoding/base64"
	"strings"
	"time"

	"minside/backend/internal/apperr"
)

// Limits of one page of a list.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// PageRequest is ?cursor=&limit= of a list.
type PageRequest struct {
	Cursor string
	Limit  int
}

// Page is one page of a list; NextCursor is nil on the last page.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// position is where a page ends: the sort key and id of its last item. The cursor is its opaque,
// URL-safe form; ids are UUIDv7, so (time, id) orders every list totally.
type position struct {
	at time.Time
	id string
}

func (p PageRequest) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	default:
		return p.Limit
	}
}

// after decodes the cursor; a cursor that was not made here is a 422 on /cursor.
func (p PageRequest) after() (*position, error) {
	if p.Cursor == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil {
		return nil, badCursor()
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok || !validID(id) {
		return nil, badCursor()
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, badCursor()
	}
	return &position{at: t.UTC(), id: id}, nil
}

func encodePosition(at time.Time, id string) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
	return &s
}

func badCursor() error {
	return apperr.Invalid(apperr.Field("/cursor", "field.invalid", nil))
}

// pageOf cuts the one extra row that was read to know whether there is a next page.
func pageOf[T any](items []T, limit int, key func(T) (time.Time, string)) Page[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	at, id := key(items[limit-1])
	return Page[T]{Items: items, NextCursor: encodePosition(at, id)}
}

// keyset is the SQL of "after this position" for a list sorted by (col, id) in the given direction.
func keyset(col, idCol string, desc bool, p *position) (string, []any) {
	if p == nil {
		return "", nil
	}
	op := ">"
	if desc {
		op = "<"
	}
	return " AND (" + col + " " + op + " ? OR (" + col + " = ? AND " + idCol + " " + op + " ?))", []any{utc(p.at), utc(p.at), p.id}
}
