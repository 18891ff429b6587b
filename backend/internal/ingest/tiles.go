package ingest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// Icons a tile may show; the PWA ships exactly these.
var tileIcons = []string{"book", "building", "calendar", "care", "child", "document", "health", "home", "info", "key", "leaf", "money", "people", "recycle", "school", "sport", "transport"}

var tileStatuses = []string{"draft", "published"}

// TileRecord is a service tile as an agency (or the tile editor) publishes it. Tiles are for
// everyone the targeting matches, not for one person: no pid.
type TileRecord struct {
	Title        map[string]string `json:"title"`
	Description  map[string]string `json:"description,omitempty"`
	Link         string            `json:"link"`
	Icon         string            `json:"icon"`
	Category     string            `json:"category,omitempty"`
	Targeting    *TileTargeting    `json:"targeting,omitempty"`
	PublishFrom  string            `json:"publishFrom,omitempty"`
	PublishUntil string            `json:"publishUntil,omitempty"`
	Status       string            `json:"status"`
	Version      int64             `json:"version"`
}

// TileTargeting mirrors tiles.Targeting with strict JSON.
type TileTargeting struct {
	MinAge        *int     `json:"minAge,omitempty"`
	MaxAge        *int     `json:"maxAge,omitempty"`
	Districts     []string `json:"districts,omitempty"`
	ChildAgeMin   *int     `json:"childAgeMin,omitempty"`
	ChildAgeMax   *int     `json:"childAgeMax,omitempty"`
	OpenCaseKinds []string `json:"openCaseKinds,omitempty"`
}

// Model is the targeting as stored; nil targets everyone.
func (t *TileTargeting) Model() tiles.Targeting {
	if t == nil {
		return tiles.Targeting{}
	}
	return tiles.Targeting{MinAge: t.MinAge, MaxAge: t.MaxAge, Districts: t.Districts,
		ChildAgeMin: t.ChildAgeMin, ChildAgeMax: t.ChildAgeMax, OpenCaseKinds: t.OpenCaseKinds}
}

// targeting checks ages (0–130, ranges in order) and the district and case-kind lists.
func (c *checker) targeting(ptr string, t *TileTargeting) {
	if t == nil {
		return
	}
	age := func(p string, v *int) {
		if v != nil && (*v < 0 || *v > 130) {
			c.add(ptr+p, "field.out_of_range", map[string]any{"Min": 0, "Max": 130})
		}
	}
	age("/minAge", t.MinAge)
	age("/maxAge", t.MaxAge)
	age("/childAgeMin", t.ChildAgeMin)
	age("/childAgeMax", t.ChildAgeMax)
	if t.MinAge != nil && t.MaxAge != nil && *t.MaxAge < *t.MinAge {
		c.add(ptr+"/maxAge", "field.out_of_range", nil)
	}
	if t.ChildAgeMin != nil && t.ChildAgeMax != nil && *t.ChildAgeMax < *t.ChildAgeMin {
		c.add(ptr+"/childAgeMax", "field.out_of_range", nil)
	}
	c.count(ptr+"/districts", len(t.Districts), maxListItems)
	for i := range t.Districts {
		c.text(ptr+"/districts/"+strconv.Itoa(i), &t.Districts[i], shortText.Need(true))
	}
	c.count(ptr+"/openCaseKinds", len(t.OpenCaseKinds), maxListItems)
	for i := range t.OpenCaseKinds {
		c.text(ptr+"/openCaseKinds/"+strconv.Itoa(i), &t.OpenCaseKinds[i], shortText.Need(true))
	}
}

type tileSpec struct{}

type parsedTile struct {
	rec         TileRecord
	from, until *time.Time
}

func (tileSpec) parse(body []byte, base string, _ pid.Options) (parsed, error) {
	p := &parsedTile{}
	c := &checker{base: base}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec // checks write the canonical text back into the record
	c.texts("/title", r.Title, titleText, true)
	c.texts("/description", r.Description, bodyText, false)
	c.httpsURL("/link", r.Link, true)
	c.oneOf("/icon", r.Icon, tileIcons, true)
	c.text("/category", &r.Category, shortText)
	c.targeting("/targeting", r.Targeting)
	p.from = c.time("/publishFrom", r.PublishFrom, false)
	p.until = c.time("/publishUntil", r.PublishUntil, false)
	if p.from != nil && p.until != nil && !p.until.After(*p.from) {
		c.add("/publishUntil", "field.must_be_after", map[string]any{"Other": "publishFrom"})
	}
	c.oneOf("/status", r.Status, tileStatuses, true)
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedTile) version() int64 { return p.rec.Version }

func (p *parsedTile) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	row := &tiles.Tile{ID: store.NewID(), CreatedAt: w.now}
	if prev != nil {
		row.ID, row.CreatedAt = prev.ObjectID, prev.CreatedAt
	}
	row.AgencyID, row.ExternalID, row.Version = w.req.AgencyID, w.externalID, r.Version
	row.Link, row.Icon, row.Category, row.Status = r.Link, r.Icon, r.Category, r.Status
	row.PublishFrom, row.PublishUntil, row.UpdatedAt = p.from, p.until, w.now
	row.Targeting = r.Targeting.Model()
	var err error
	if prev != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: tile: %w", err)
	}
	if err := texts.Save(ctx, w.tx, "tile", row.ID, texts.Fields{"title": r.Title, "description": r.Description}); err != nil {
		return applied{}, err
	}
	if err := w.change(ctx, nil, "tile", row.ID, "upsert"); err != nil {
		return applied{}, err
	}
	body, err := stripPIDs(r, row.ID, nil)
	return applied{objectID: row.ID, body: body}, err
}

func deleteTile(ctx context.Context, w *writer, r *record) error {
	if err := texts.Delete(ctx, w.tx, "tile", r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*tiles.Tile)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete tile: %w", err)
	}
	return w.change(ctx, nil, "tile", r.ObjectID, "delete")
}
