package agency

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/egress"
	"minside/backend/internal/store"
)

// keyPrefix starts every API key, so a leaked key is recognisable by secret scanners.
const keyPrefix = "ms_"

// lastUsedResolution is how stale last_used_at may get: one write a minute per key, not per request.
const lastUsedResolution = time.Minute

var validSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Service creates agencies and manages their API keys and webhook settings.
type Service struct {
	db  *store.DB
	now func() time.Time
	// webhookPolicy judges a webhook URL when it is set, with the same egress guard the webhook
	// client applies when it dials.
	webhookPolicy egress.URLPolicy
}

// Option adjusts NewService.
type Option func(*Service)

// AllowPrivateWebhooks lets webhook URLs name loopback and private hosts (and plain http to
// loopback), as MINSIDE_WEBHOOK_ALLOW_PRIVATE does for delivery: for tests and internal receivers.
func AllowPrivateWebhooks(allow bool) Option {
	return func(s *Service) { s.webhookPolicy.AllowPrivate = allow }
}

// NewService builds the service; now is time.Now outside tests.
func NewService(db *store.DB, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: db, now: now}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Caller is an authenticated agency system.
type Caller struct {
	AgencyID string
	Slug     string
	KeyID    string
}

// NewKey is an API key as shown once to the operator.
type NewKey struct {
	Key    string // the full key: never stored, printed once
	Prefix string
	ID     string
}

// Listing is an agency with its keys (never the keys themselves) and its authorities.
type Listing struct {
	Agency      Agency
	Keys        []APIKey
	Authorities []string // kinds of relation it may write, sorted
}

// generateKey makes "ms_<prefix>_<secret>": 32 random bits of prefix to tell keys apart in
// listings and 256 random bits of secret. A key this strong needs no slow hash: SHA-256 suffices.
func generateKey() (full, prefix string, err error) {
	p := make([]byte, 4)
	s := make([]byte, 32)
	if _, err := rand.Read(p); err != nil {
		return "", "", fmt.Errorf("agency: random: %w", err)
	}
	if _, err := rand.Read(s); err != nil {
		return "", "", fmt.Errorf("agency: random: %w", err)
	}
	prefix = hex.EncodeToString(p)
	return keyPrefix + prefix + "_" + base64.RawURLEncoding.EncodeToString(s), prefix, nil
}

// HashKey is the stored form of an API key.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Create registers an agency, gives it its first API key and the authorities named (see
// Authority; usually none). webhookURL may be empty.
func (s *Service) Create(ctx context.Context, slug, name, webhookURL string, authorities ...string) (*Agency, NewKey, string, error) {
	var fields apperr.Fields
	if !validSlug.MatchString(slug) {
		fields.Add("/slug", "field.invalid", nil)
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		fields.Add("/name", "field.required", nil)
	case len([]rune(name)) > 200:
		fields.Add("/name", "field.too_long", map[string]any{"Max": 200})
	}
	if webhookURL != "" {
		if f := checkWebhookURL(webhookURL, s.webhookPolicy); f != "" {
			fields.Add("/webhookUrl", f, nil)
		}
	}
	if err := fields.Err(); err != nil {
		return nil, NewKey{}, "", err
	}
	now := store.UTC(s.now())
	a := &Agency{ID: store.NewID(), Slug: slug, Name: name, CreatedAt: now, UpdatedAt: now}
	var secret string
	if webhookURL != "" {
		var err error
		if secret, err = generateWebhookSecret(); err != nil {
			return nil, NewKey{}, "", err
		}
		a.WebhookURL, a.WebhookSecret = &webhookURL, &secret
	}
	var key NewKey
	err := s.inTx(ctx, func(tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*Agency)(nil)).Where("slug = ?", slug).Count(ctx)
		if err != nil {
			return fmt.Errorf("agency: create: %w", err)
		}
		if n > 0 {
			return apperr.Invalid(apperr.Field("/slug", "field.taken", nil))
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("agency: create: %w", err)
		}
		for _, kind := range authorities {
			if err := Grant(ctx, tx, a.ID, kind, now); err != nil {
				return err
			}
		}
		key, err = s.addKey(ctx, tx, a.ID, "first key", now)
		return err
	})
	if err != nil {
		return nil, NewKey{}, "", err
	}
	return a, key, secret, nil
}

func (s *Service) addKey(ctx context.Context, db bun.IDB, agencyID, label string, now time.Time) (NewKey, error) {
	full, prefix, err := generateKey()
	if err != nil {
		return NewKey{}, err
	}
	k := &APIKey{ID: store.NewID(), AgencyID: agencyID, Prefix: prefix, KeyHash: HashKey(full), Label: label, CreatedAt: now}
	if _, err := db.NewInsert().Model(k).Exec(ctx); err != nil {
		return NewKey{}, fmt.Errorf("agency: add key: %w", err)
	}
	return NewKey{Key: full, Prefix: prefix, ID: k.ID}, nil
}

// BySlug finds an agency; apperr not_found when there is none.
func (s *Service) BySlug(ctx context.Context, slug string) (*Agency, error) {
	return bySlug(ctx, s.db, slug)
}

func bySlug(ctx context.Context, db bun.IDB, slug string) (*Agency, error) {
	a := new(Agency)
	err := db.NewSelect().Model(a).Where("slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("agency: find %s: %w", slug, err)
	}
	return a, nil
}

// List returns every agency with its keys, by slug.
func (s *Service) List(ctx context.Context) ([]Listing, error) {
	var agencies []Agency
	if err := s.db.NewSelect().Model(&agencies).Order("slug").Scan(ctx); err != nil {
		return nil, fmt.Errorf("agency: list: %w", err)
	}
	var keys []APIKey
	if err := s.db.NewSelect().Model(&keys).Order("created_at").Scan(ctx); err != nil {
		return nil, fmt.Errorf("agency: list keys: %w", err)
	}
	byAgency := map[string][]APIKey{}
	for _, k := range keys {
		byAgency[k.AgencyID] = append(byAgency[k.AgencyID], k)
	}
	authorities, err := authoritiesByAgency(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]Listing, 0, len(agencies))
	for _, a := range agencies {
		out = append(out, Listing{Agency: a, Keys: byAgency[a.ID], Authorities: authorities[a.ID]})
	}
	return out, nil
}

// RotateKey issues a new key and revokes every key the agency had before. It returns the new key
// and the prefixes it revoked.
func (s *Service) RotateKey(ctx context.Context, slug string) (NewKey, []string, error) {
	var key NewKey
	var revoked []string
	err := s.inTx(ctx, func(tx bun.Tx) error {
		a, err := bySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		now := store.UTC(s.now())
		var old []APIKey
		if err := tx.NewSelect().Model(&old).Where("agency_id = ? AND revoked_at IS NULL", a.ID).Scan(ctx); err != nil {
			return fmt.Errorf("agency: rotate: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*APIKey)(nil)).Set("revoked_at = ?", now).
			Where("agency_id = ? AND revoked_at IS NULL", a.ID).Exec(ctx); err != nil {
			return fmt.Errorf("agency: rotate: %w", err)
		}
		for _, k := range old {
			revoked = append(revoked, k.Prefix)
		}
		key, err = s.addKey(ctx, tx, a.ID, "rotated", now)
		return err
	})
	return key, revoked, err
}

// RevokeKey revokes the agency's key with this prefix; not_found when it has none.
func (s *Service) RevokeKey(ctx context.Context, slug, prefix string) error {
	a, err := bySlug(ctx, s.db, slug)
	if err != nil {
		return err
	}
	res, err := s.db.NewUpdate().Model((*APIKey)(nil)).Set("revoked_at = ?", store.UTC(s.now())).
		Where("agency_id = ? AND prefix = ? AND revoked_at IS NULL", a.ID, prefix).Exec(ctx)
	if err != nil {
		return fmt.Errorf("agency: revoke: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound()
	}
	return nil
}

// SetWebhook sets where the agency's webhooks go and returns a new signing secret (shown once).
func (s *Service) SetWebhook(ctx context.Context, slug, rawURL string) (string, error) {
	if f := checkWebhookURL(rawURL, s.webhookPolicy); f != "" {
		return "", apperr.Invalid(apperr.Field("/webhookUrl", f, nil))
	}
	a, err := bySlug(ctx, s.db, slug)
	if err != nil {
		return "", err
	}
	secret, err := generateWebhookSecret()
	if err != nil {
		return "", err
	}
	a.WebhookURL, a.WebhookSecret, a.UpdatedAt = &rawURL, &secret, store.UTC(s.now())
	if _, err := s.db.NewUpdate().Model(a).Column("webhook_url", "webhook_secret", "updated_at").WherePK().Exec(ctx); err != nil {
		return "", fmt.Errorf("agency: set webhook: %w", err)
	}
	return secret, nil
}

// Authenticate resolves a bearer key to its agency. Unknown, malformed and revoked keys are all
// the same unauthorized error.
func (s *Service) Authenticate(ctx context.Context, key string) (Caller, error) {
	if !strings.HasPrefix(key, keyPrefix) || len(key) > 128 {
		return Caller{}, apperr.Unauthorized()
	}
	var row struct {
		APIKey
		Slug string `bun:"slug"`
	}
	err := s.db.NewSelect().Model((*APIKey)(nil)).
		ColumnExpr("k.*, a.slug").
		ModelTableExpr("agency_api_keys AS k").
		Join("JOIN agencies AS a ON a.id = k.agency_id").
		Where("k.key_hash = ?", HashKey(key)).
		Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return Caller{}, apperr.Unauthorized()
	}
	if err != nil {
		return Caller{}, fmt.Errorf("agency: authenticate: %w", err)
	}
	if row.RevokedAt != nil {
		return Caller{}, apperr.Unauthorized()
	}
	now := store.UTC(s.now())
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) >= lastUsedResolution {
		if _, err := s.db.NewUpdate().Model((*APIKey)(nil)).Set("last_used_at = ?", now).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", row.ID, now.Add(-lastUsedResolution)).
			Exec(ctx); err != nil {
			return Caller{}, fmt.Errorf("agency: touch key: %w", err)
		}
	}
	return Caller{AgencyID: row.AgencyID, Slug: row.Slug, KeyID: row.ID}, nil
}

// generateWebhookSecret follows Standard Webhooks: "whsec_" and base64 of 32 random bytes.
func generateWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("agency: random: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// checkWebhookURL returns a field message key when the URL is unusable: https to a host that is
// not internal in any spelling (169.254.169.254, 0x7f000001, [::ffff:127.0.0.1], localhost), on a
// real port. Plain http and internal hosts only when the policy allows private receivers.
func checkWebhookURL(raw string, policy egress.URLPolicy) string {
	if len(raw) > 2000 {
		return "field.invalid_url"
	}
	switch err := egress.CheckURL(raw, policy); {
	case err == nil:
		return ""
	case errors.Is(err, egress.ErrScheme):
		return "field.must_be_https"
	default:
		return "field.invalid_url"
	}
}

func (s *Service) inTx(ctx context.Context, fn func(tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(tx) })
}
