package citizens

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/pid"
	"minside/backend/internal/store"
)

// Directory finds and creates citizens by national identity number without ever storing it: the
// number is parsed, turned into the keyed pseudonym, and only that and the masked form are kept.
type Directory struct {
	pseudonyms *pid.Pseudonymizer
	pidOptions pid.Options
}

// NewDirectory builds a directory; allowSynthetic accepts test-register numbers (dev and test).
func NewDirectory(pseudonyms *pid.Pseudonymizer, allowSynthetic bool) *Directory {
	return &Directory{pseudonyms: pseudonyms, pidOptions: pid.Options{AllowSynthetic: allowSynthetic}}
}

// Parse validates a number with the directory's rules (an *apperr.Error on /pid when invalid).
func (d *Directory) Parse(number string) (pid.Number, error) { return pid.Parse(number, d.pidOptions) }

// Pseudonym is the stored form of a valid number.
func (d *Directory) Pseudonym(n pid.Number) string { return d.pseudonyms.Pseudonym(n.Digits()) }

// Find returns the citizen with this number, or nil when the portal does not know them.
func (d *Directory) Find(ctx context.Context, db bun.IDB, n pid.Number) (*Citizen, error) {
	c := new(Citizen)
	err := db.NewSelect().Model(c).Where("pid_hash = ?", d.Pseudonym(n)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("citizens: find: %w", err)
	}
	return c, nil
}

// RecordLogin remembers when the citizen last logged in.
func (d *Directory) RecordLogin(ctx context.Context, db bun.IDB, c *Citizen, at time.Time) error {
	at = store.UTC(at)
	c.LastLoginAt = &at
	if _, err := db.NewUpdate().Model(c).Column("last_login_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("citizens: last login: %w", err)
	}
	return nil
}

// Ensure returns the citizen with this number, creating them when an agency or a login names them
// for the first time. name, when not empty, updates the stored display name.
func (d *Directory) Ensure(ctx context.Context, db bun.IDB, n pid.Number, name string, now time.Time) (*Citizen, error) {
	now = store.UTC(now)
	c := &Citizen{
		ID:        store.NewID(),
		PIDHash:   d.Pseudonym(n),
		PIDMasked: n.String(),
		BirthDate: n.BirthDate,
		Name:      name,
		CreatedAt: now,
		UpdatedAt: now,
	}
	q := db.NewInsert().Model(c).On("CONFLICT (pid_hash) DO NOTHING")
	if _, err := q.Exec(ctx); err != nil {
		return nil, fmt.Errorf("citizens: ensure: %w", err)
	}
	found, err := d.Find(ctx, db, n)
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, errors.New("citizens: ensure: row vanished")
	}
	if name != "" && found.Name != name {
		found.Name, found.UpdatedAt = name, now
		if _, err := db.NewUpdate().Model(found).Column("name", "updated_at").WherePK().Exec(ctx); err != nil {
			return nil, fmt.Errorf("citizens: rename: %w", err)
		}
	}
	return found, nil
}

// Get loads a citizen by id.
func Get(ctx context.Context, db bun.IDB, id string) (*Citizen, error) {
	c := new(Citizen)
	if err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("citizens: get: %w", err)
	}
	return c, nil
}

// IsMinor reports whether the citizen is under 18 at t.
func (c *Citizen) IsMinor(t time.Time) bool { return c.BirthDate.AddDate(18, 0, 0).After(t) }
