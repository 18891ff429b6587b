package translate

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
)

// RoleTranslator is the citizen_roles role of a translator; its scope is a language code.
const RoleTranslator = "translator"

// Store keeps translator overrides and their history in the database. It is the bundle's
// i18n.OverrideSource: every replica reads the same rows, so a published text reaches them all.
type Store struct {
	db *store.DB
}

// NewStore returns the override store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

// Overrides returns every override as lang → id → message (i18n.OverrideSource).
func (s *Store) Overrides(ctx context.Context) (map[string]map[string]i18n.Message, error) {
	var rows []Override
	if err := s.db.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("translate: overrides: %w", err)
	}
	out := map[string]map[string]i18n.Message{}
	for _, r := range rows {
		if out[r.Lang] == nil {
			out[r.Lang] = map[string]i18n.Message{}
		}
		out[r.Lang][r.MessageID] = messageOf(r.Forms)
	}
	return out, nil
}

// Language returns one language's overrides by message id.
func (s *Store) Language(ctx context.Context, lang string) (map[string]Override, error) {
	var rows []Override
	if err := s.db.NewSelect().Model(&rows).Where("lang = ?", lang).Scan(ctx); err != nil {
		return nil, fmt.Errorf("translate: overrides of %s: %w", lang, err)
	}
	out := make(map[string]Override, len(rows))
	for _, r := range rows {
		out[r.MessageID] = r
	}
	return out, nil
}

// Version changes whenever an override is saved: every save writes a history row, whose id only
// grows. Replicas poll it (cheap, and the same on SQLite and PostgreSQL) instead of the whole table.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.NewSelect().TableExpr("translation_history").ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &v); err != nil {
		return 0, fmt.Errorf("translate: version: %w", err)
	}
	return v, nil
}

// Save stores an override and its history row in one transaction and returns the previous forms
// (nil when there was no override).
func (s *Store) Save(ctx context.Context, o Override) (old map[string]string, err error) {
	o.UpdatedAt = store.UTC(o.UpdatedAt)
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var prev Override
		switch err := tx.NewSelect().Model(&prev).Where("lang = ? AND message_id = ?", o.Lang, o.MessageID).Scan(ctx); {
		case err == nil:
			old = prev.Forms
		case isNoRows(err):
		default:
			return err
		}
		if _, err := tx.NewInsert().Model(&o).
			On("CONFLICT (lang, message_id) DO UPDATE").
			Set("forms = EXCLUDED.forms, source_hash = EXCLUDED.source_hash, needs_review = EXCLUDED.needs_review").
			Set("updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at").
			Exec(ctx); err != nil {
			return err
		}
		h := HistoryEntry{Lang: o.Lang, MessageID: o.MessageID, OldForms: old, NewForms: o.Forms, ChangedBy: o.UpdatedBy, ChangedAt: o.UpdatedAt}
		_, err := tx.NewInsert().Model(&h).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("translate: save %s %s: %w", o.Lang, o.MessageID, err)
	}
	return old, nil
}

// Change is one history row with the translator's name.
type Change struct {
	HistoryEntry
	ChangedByName string
}

// History returns the latest changes of a language, newest first, with the translators' names.
func (s *Store) History(ctx context.Context, lang string, limit int) ([]Change, error) {
	var rows []HistoryEntry
	if err := s.db.NewSelect().Model(&rows).Where("lang = ?", lang).OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("translate: history of %s: %w", lang, err)
	}
	ids := map[string]bool{}
	for _, r := range rows {
		ids[r.ChangedBy] = true
	}
	names := map[string]string{}
	if len(ids) > 0 {
		list := make([]string, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		var people []citizens.Citizen
		if err := s.db.NewSelect().Model(&people).Column("id", "name").Where("id IN (?)", bun.In(list)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("translate: history names: %w", err)
		}
		for _, p := range people {
			names[p.ID] = p.Name
		}
	}
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = Change{HistoryEntry: r, ChangedByName: names[r.ChangedBy]}
	}
	return out, nil
}

// Languages returns the language codes a person may translate (their translator roles).
func (s *Store) Languages(ctx context.Context, citizenID string) ([]string, error) {
	var roles []citizens.Role
	if err := s.db.NewSelect().Model(&roles).Where("citizen_id = ? AND role = ?", citizenID, RoleTranslator).OrderExpr("scope").Scan(ctx); err != nil {
		return nil, fmt.Errorf("translate: roles: %w", err)
	}
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = r.Scope
	}
	return out, nil
}

func messageOf(forms map[string]string) i18n.Message {
	return i18n.Message{Zero: forms["zero"], One: forms["one"], Two: forms["two"], Few: forms["few"], Many: forms["many"], Other: forms["other"]}
}

var _ i18n.OverrideSource = (*Store)(nil)
