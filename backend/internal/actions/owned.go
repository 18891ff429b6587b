package actions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"minside/backend/internal/apperr"
)

// loadOwned loads the row id names (load scans it) and answers it only when the view may act on
// it: owner names the row's person and area. A malformed id, a missing row and someone else's
// row are the same not found, so nobody learns which ids exist. what names the row in errors.
func loadOwned[T any](ctx context.Context, v For, id, what string, load func(ctx context.Context, row *T) error,
	owner func(row *T) (citizenID, area string)) (*T, error) {
	if !isID(id) {
		return nil, apperr.NotFound()
	}
	row := new(T)
	err := load(ctx, row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("actions: load %s: %w", what, err)
	}
	if !v.Owns(owner(row)) {
		return nil, apperr.NotFound()
	}
	return row, nil
}
