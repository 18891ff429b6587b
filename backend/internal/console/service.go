// Package console is the agency console: agency editors (citizens with the role
// agency_editor:<agency slug>) write their agency's service tiles and rules for proactive
// suggestions, and send notices to a targeted audience. Tiles go through the agency API's validation and upsert (ingest), so a tile written
// here and one pushed by an agency system are the same record; reach counts use the one targeting
// predicate the overview uses (tiles.Reached).
package console

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/ingest"
	"minside/backend/internal/store"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/suggest"
	"minside/backend/internal/tiles"
)

// RoleEditor is the citizen role that lets a person edit the agency named by the role's scope.
const RoleEditor = "agency_editor"

// Service serves the console.
type Service struct {
	db     *store.DB
	ingest *ingest.Service
	rules  *suggest.Env // the fact model rules are previewed in (WithRules)
	now    func() time.Time
}

// New builds the service on the same database and ingest service as the agency API.
func New(db *store.DB, ing *ingest.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, ingest: ing, now: now}
}

// WithRules gives the console the fact model (the app's one Env) to preview rules in.
func (s *Service) WithRules(env *suggest.Env) *Service {
	s.rules = env
	return s
}

// Editor is who calls: the logged-in citizen, and the request id for the audit log.
type Editor struct {
	CitizenID string
	RequestID string
}

// Agency is an agency as the console lists it.
type Agency struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Agencies lists the agencies the editor may edit, by name.
func (s *Service) Agencies(ctx context.Context, ed Editor) ([]Agency, error) {
	out := []Agency{}
	err := s.db.NewRaw(`SELECT a.slug, a.name FROM citizen_roles r JOIN agencies a ON a.slug = r.scope
WHERE r.citizen_id = ? AND r.role = ? ORDER BY a.name, a.slug`, ed.CitizenID, RoleEditor).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("console: agencies: %w", err)
	}
	return out, nil
}

// authorize finds the agency and checks the editor's role for it: an unknown agency is not found,
// a known one the caller does not edit is forbidden.
func (s *Service) authorize(ctx context.Context, ed Editor, slug string) (*agency.Agency, error) {
	a := new(agency.Agency)
	if err := s.db.NewSelect().Model(a).Where("slug = ?", slug).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound()
		}
		return nil, fmt.Errorf("console: agency: %w", err)
	}
	n, err := s.db.NewSelect().Model((*citizens.Role)(nil)).
		Where("citizen_id = ? AND role = ? AND scope = ?", ed.CitizenID, RoleEditor, slug).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: role: %w", err)
	}
	if n == 0 {
		return nil, apperr.Forbidden()
	}
	return a, nil
}

func (s *Service) request(ed Editor, a *agency.Agency) ingest.Request {
	return ingest.Request{AgencyID: a.ID, RequestID: ed.RequestID, Editor: ed.CitizenID}
}

// Tile is one of the agency's tiles as the editor sees it: every language, drafts included.
type Tile struct {
	ID         string `json:"id"`         // the portal's id
	ExternalID string `json:"externalId"` // the key in the agency API ("console-…" when made here)
	ingest.TileRecord
	UpdatedAt time.Time `json:"updatedAt"`
}

type recordRow struct {
	ExternalID string          `bun:"external_id"`
	ObjectID   string          `bun:"object_id"`
	Version    int64           `bun:"version"`
	Body       json.RawMessage `bun:"body"`
	UpdatedAt  time.Time       `bun:"updated_at"`
}

func (r recordRow) tile() (Tile, error) {
	t := Tile{ID: r.ObjectID, ExternalID: r.ExternalID, UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal(r.Body, &t.TileRecord); err != nil {
		return Tile{}, fmt.Errorf("console: tile %s: %w", r.ObjectID, err)
	}
	t.Version = r.Version
	return t, nil
}

const tileRecords = `SELECT external_id, object_id, version, body, updated_at FROM agency_records WHERE agency_id = ? AND kind = ?`

// Tiles lists every tile of the agency, newest change first.
func (s *Service) Tiles(ctx context.Context, ed Editor, slug string) ([]Tile, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return nil, err
	}
	var rows []recordRow
	if err := s.db.NewRaw(tileRecords+" ORDER BY updated_at DESC, external_id", a.ID, string(ingest.KindTiles)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("console: tiles: %w", err)
	}
	out := make([]Tile, 0, len(rows))
	for _, r := range rows {
		t, err := r.tile()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// tile finds one of the agency's tiles by the portal id.
func (s *Service) tile(ctx context.Context, a *agency.Agency, id string) (Tile, error) {
	if uuid.Validate(id) != nil {
		return Tile{}, apperr.NotFound() // no id is no tile (PostgreSQL would refuse it as a uuid)
	}
	var rows []recordRow
	if err := s.db.NewRaw(tileRecords+" AND object_id = ?", a.ID, string(ingest.KindTiles), id).Scan(ctx, &rows); err != nil {
		return Tile{}, fmt.Errorf("console: tile: %w", err)
	}
	if len(rows) == 0 {
		return Tile{}, apperr.NotFound()
	}
	return rows[0].tile()
}

// Create adds a draft tile; the body is a tile as the agency API takes it (status and version are
// the console's: a new tile is a draft at version 1).
func (s *Service) Create(ctx context.Context, ed Editor, slug string, body []byte) (Tile, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Tile{}, err
	}
	if body, err = withCanonicalDistricts(body, ""); err != nil {
		return Tile{}, err
	}
	body, err = withFields(body, "", map[string]any{"status": "draft", "version": 1})
	if err != nil {
		return Tile{}, err
	}
	return s.put(ctx, ed, a, "console-"+store.NewID(), body)
}

// Update replaces a tile's content; body.version must be the version the form was loaded from
// (else 409 with currentVersion). Its status stays as it is.
func (s *Service) Update(ctx context.Context, ed Editor, slug, id string, body []byte) (Tile, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Tile{}, err
	}
	cur, err := s.tile(ctx, a, id)
	if err != nil {
		return Tile{}, err
	}
	if body, err = withCanonicalDistricts(body, ""); err != nil {
		return Tile{}, err
	}
	var base struct {
		Version *int64 `json:"version"`
	}
	if err := strictjson.Unmarshal(body, &base); err != nil {
		return Tile{}, err
	}
	if base.Version == nil {
		return Tile{}, apperr.Invalid(apperr.Field("/version", "field.required", nil))
	}
	body, err = withFields(body, "", map[string]any{"status": cur.Status, "version": *base.Version + 1})
	if err != nil {
		return Tile{}, err
	}
	return s.put(ctx, ed, a, cur.ExternalID, body)
}

// SetStatus publishes ("published") or withdraws ("draft") a tile. version, when not zero, must
// be the version the editor saw.
func (s *Service) SetStatus(ctx context.Context, ed Editor, slug, id, status string, version int64) (Tile, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Tile{}, err
	}
	cur, err := s.tile(ctx, a, id)
	if err != nil {
		return Tile{}, err
	}
	if version == 0 {
		version = cur.Version
	}
	rec := cur.TileRecord
	rec.Status, rec.Version = status, version+1
	body, err := json.Marshal(rec)
	if err != nil {
		return Tile{}, fmt.Errorf("console: encode tile: %w", err)
	}
	return s.put(ctx, ed, a, cur.ExternalID, body)
}

func (s *Service) put(ctx context.Context, ed Editor, a *agency.Agency, externalID string, body []byte) (Tile, error) {
	st, _, err := s.ingest.Put(ctx, s.request(ed, a), ingest.KindTiles, externalID, body)
	if err != nil {
		return Tile{}, err
	}
	return s.tile(ctx, a, st.ObjectID)
}

// withFields sets top-level fields of a JSON object; anything but an object is a bad request, a
// member named twice is invalid (nested ones are left as they are for the tile's strict decoder).
func withFields(body []byte, base string, set map[string]any) ([]byte, error) {
	m, err := strictjson.Members(body)
	if err != nil {
		return nil, strictjson.Refusal(err, base)
	}
	for k, v := range set {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("console: encode %s: %w", k, err)
		}
		m[k] = b
	}
	return json.Marshal(m)
}

// Preview is a tile as a citizen reading lang would see it, and how many it reaches now.
type Preview struct {
	Tile  PreviewTile `json:"tile"`
	Reach int         `json:"reach"`
}

// PreviewTile has the shape of a tile in the citizen API (GET /api/v1/tiles).
type PreviewTile struct {
	Agency      Agency `json:"agency"`
	Title       string `json:"title"`
	TitleLang   string `json:"titleLang"`
	Description string `json:"description"`
	Link        string `json:"link"`
	Icon        string `json:"icon"`
	Category    string `json:"category"`
}

// Preview validates an unsaved tile (pointers under /tile) and renders it for lang.
func (s *Service) Preview(ctx context.Context, ed Editor, slug string, tile json.RawMessage, lang string) (Preview, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Preview{}, err
	}
	if len(tile) == 0 {
		return Preview{}, apperr.Invalid(apperr.Field("/tile", "field.required", nil))
	}
	if tile, err = withCanonicalDistricts(tile, "/tile"); err != nil {
		return Preview{}, err
	}
	body, err := withFields(tile, "/tile", map[string]any{"status": "draft", "version": 1})
	if err != nil {
		return Preview{}, err
	}
	rec, err := s.ingest.ParseTile(body, "/tile")
	if err != nil {
		return Preview{}, err
	}
	reached, err := tiles.Reached(ctx, s.db, rec.Targeting.Model(), s.now().UTC())
	if err != nil {
		return Preview{}, err
	}
	title, used := i18n.Pick(rec.Title, lang)
	desc, _ := i18n.Pick(rec.Description, lang)
	return Preview{Reach: len(reached), Tile: PreviewTile{Agency: Agency{Slug: a.Slug, Name: a.Name}, Title: title, TitleLang: used,
		Description: desc, Link: rec.Link, Icon: rec.Icon, Category: rec.Category}}, nil
}
