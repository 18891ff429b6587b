package citizens

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// EnsureAll is Ensure without names for many people at once, in two statements: it returns every
// one of them by pseudonym, creating those the portal does not know yet. A bulk write ensures
// the people of a whole batch this way instead of two round trips per person.
func (d *Directory) EnsureAll(ctx context.Context, db bun.IDB, numbers []pid.Number, now time.Time) (map[string]*Citizen, error) {
	now = store.UTC(now)
	byHash := make(map[string]*Citizen, len(numbers))
	rows := make([]Citizen, 0, len(numbers))
	for _, n := range numbers {
		hash := d.Pseudonym(n)
		if _, seen := byHash[hash]; seen {
			continue
		}
		byHash[hash] = nil
		rows = append(rows, Citizen{ID: store.NewID(), PIDHash: hash, PIDMasked: n.String(), BirthDate: n.BirthDate, CreatedAt: now, UpdatedAt: now})
	}
	if len(rows) == 0 {
		return byHash, nil
	}
	// In one order for everyone, so two batches naming the same new people queue instead of deadlocking.
	slices.SortFunc(rows, func(a, b Citizen) int { return strings.Compare(a.PIDHash, b.PIDHash) })
	// Returning NULL: Bun would otherwise read back defaulted columns of the inserted rows only
	// and shrink rows to them.
	if _, err := db.NewInsert().Model(&rows).On("CONFLICT (pid_hash) DO NOTHING").Returning("NULL").Exec(ctx); err != nil {
		return nil, fmt.Errorf("citizens: ensure %d: %w", len(rows), err)
	}
	hashes := make([]string, len(rows))
	for i, r := range rows {
		hashes[i] = r.PIDHash
	}
	var found []Citizen
	if err := db.NewSelect().Model(&found).Where("pid_hash IN (?)", bun.In(hashes)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("citizens: ensure %d: %w", len(rows), err)
	}
	for i := range found {
		byHash[found[i].PIDHash] = &found[i]
	}
	if len(found) != len(rows) {
		return nil, errors.New("citizens: ensure: row vanished")
	}
	return byHash, nil
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
