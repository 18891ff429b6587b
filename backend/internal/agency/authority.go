package agency

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// Authority is the operator's word that an agency may say who represents whom, for one kind of
// relation: guardianship comes only from the population register, powers of attorney only from
// the agency the municipality names for them. Without it an agency's relations are refused on
// write and, if written before a revoke, grant nothing on read (see represent).
type Authority struct {
	bun.BaseModel `bun:"table:agency_authorities"`

	AgencyID  string    `bun:"agency_id,pk"`
	Kind      string    `bun:"kind,pk"` // a relation kind (represent.KindGuardian, KindPowerOfAttorney) or AuthorityIdeas
	GrantedAt time.Time `bun:"granted_at,notnull"`
}

// AuthorityIdeas makes an agency the moderator of the idea channel (package ideas): it reads every
// idea, sets their statuses and hides them. The municipality names its Innolab this way.
const AuthorityIdeas = "ideas"

// Authorities are the kinds of authority an operator can grant: one per kind of relation, and the
// moderation of ideas.
var Authorities = []string{represent.KindGuardian, represent.KindPowerOfAttorney, AuthorityIdeas}

// ParseAuthorities reads authority names as an operator writes them (repeated, or comma-separated),
// without duplicates; a name that is no authority is refused at /authority.
func ParseAuthorities(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if err := checkAuthority("/authority", name); err != nil {
				return nil, err
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// Grant gives agencyID the authority for kind; granting it again changes nothing.
func Grant(ctx context.Context, db bun.IDB, agencyID, kind string, now time.Time) error {
	if err := checkAuthority("/authority", kind); err != nil {
		return err
	}
	row := &Authority{AgencyID: agencyID, Kind: kind, GrantedAt: store.UTC(now)}
	if _, err := db.NewInsert().Model(row).On("CONFLICT (agency_id, kind) DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("agency: grant %s: %w", kind, err)
	}
	return nil
}

// RequireAuthority answers 403, naming the missing authority, unless agencyID holds the authority
// for kind. The problem's missingAuthority member carries the kind for programs.
func RequireAuthority(ctx context.Context, db bun.IDB, agencyID, kind string) error {
	n, err := db.NewSelect().Model((*Authority)(nil)).Where("agency_id = ? AND kind = ?", agencyID, kind).Count(ctx)
	if err != nil {
		return fmt.Errorf("agency: authority: %w", err)
	}
	if n == 0 {
		return apperr.Forbidden().WithDetail("error.detail.missing_authority", map[string]any{"Authority": kind}).
			WithExtra("missingAuthority", kind)
	}
	return nil
}

// GrantAuthority gives the agency with slug the authority for kind.
func (s *Service) GrantAuthority(ctx context.Context, slug, kind string) error {
	if err := checkAuthority("/kind", kind); err != nil {
		return err
	}
	a, err := bySlug(ctx, s.db, slug)
	if err != nil {
		return err
	}
	return Grant(ctx, s.db, a.ID, kind, s.now())
}

// RevokeAuthority takes the authority for kind from the agency with slug. Its relations of that
// kind stay stored (a new grant brings them back) but grant nothing from this moment on.
// not_found when the agency did not hold it.
func (s *Service) RevokeAuthority(ctx context.Context, slug, kind string) error {
	if err := checkAuthority("/kind", kind); err != nil {
		return err
	}
	a, err := bySlug(ctx, s.db, slug)
	if err != nil {
		return err
	}
	res, err := s.db.NewDelete().Model((*Authority)(nil)).Where("agency_id = ? AND kind = ?", a.ID, kind).Exec(ctx)
	if err != nil {
		return fmt.Errorf("agency: revoke %s: %w", kind, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound()
	}
	return nil
}

// checkAuthority refuses a name that is no authority, at pointer.
func checkAuthority(pointer, kind string) error {
	if !slices.Contains(Authorities, kind) {
		return apperr.Invalid(apperr.Field(pointer, "field.invalid_enum", map[string]any{"Allowed": strings.Join(Authorities, ", ")}))
	}
	return nil
}

// authoritiesByAgency lists every agency's authorities, sorted.
func authoritiesByAgency(ctx context.Context, db bun.IDB) (map[string][]string, error) {
	var rows []Authority
	if err := db.NewSelect().Model(&rows).Order("agency_id", "kind").Scan(ctx); err != nil {
		return nil, fmt.Errorf("agency: list authorities: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.AgencyID] = append(out[r.AgencyID], r.Kind)
	}
	return out, nil
}
