package texts

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/uptrace/bun"
)

// Values is one field in several languages: lang → text.
type Values map[string]string

// Fields is a record's multilingual fields: field → lang → text.
type Fields map[string]Values

// Save replaces every language of the given fields of one record. Fields not named are untouched;
// a field given with no languages is removed.
func Save(ctx context.Context, db bun.IDB, ownerKind, ownerID string, fields Fields) error {
	if len(fields) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(fields))
	if _, err := db.NewDelete().Model((*Text)(nil)).
		Where("owner_kind = ? AND owner_id = ? AND field IN (?)", ownerKind, ownerID, bun.In(names)).
		Exec(ctx); err != nil {
		return fmt.Errorf("texts: save %s: %w", ownerKind, err)
	}
	var rows []Text
	for _, field := range names {
		for _, lang := range slices.Sorted(maps.Keys(fields[field])) {
			rows = append(rows, Text{OwnerKind: ownerKind, OwnerID: ownerID, Field: field, Lang: lang, Value: fields[field][lang]})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("texts: save %s: %w", ownerKind, err)
	}
	return nil
}

// Load returns the fields of many records of one kind at once: owner id → field → lang → text.
func Load(ctx context.Context, db bun.IDB, ownerKind string, ownerIDs []string) (map[string]Fields, error) {
	out := make(map[string]Fields, len(ownerIDs))
	if len(ownerIDs) == 0 {
		return out, nil
	}
	var rows []Text
	if err := db.NewSelect().Model(&rows).
		Where("owner_kind = ? AND owner_id IN (?)", ownerKind, bun.In(ownerIDs)).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("texts: load %s: %w", ownerKind, err)
	}
	for _, r := range rows {
		f := out[r.OwnerID]
		if f == nil {
			f = Fields{}
			out[r.OwnerID] = f
		}
		if f[r.Field] == nil {
			f[r.Field] = Values{}
		}
		f[r.Field][r.Lang] = r.Value
	}
	return out, nil
}

// Delete removes every text of the given records (when the records themselves are deleted).
func Delete(ctx context.Context, db bun.IDB, ownerKind string, ownerIDs ...string) error {
	if len(ownerIDs) == 0 {
		return nil
	}
	if _, err := db.NewDelete().Model((*Text)(nil)).
		Where("owner_kind = ? AND owner_id IN (?)", ownerKind, bun.In(ownerIDs)).
		Exec(ctx); err != nil {
		return fmt.Errorf("texts: delete %s: %w", ownerKind, err)
	}
	return nil
}
