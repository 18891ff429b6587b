// Package tiles holds service tiles (tjenesteflis) that agencies publish and target at citizens.
package tiles

import (
	"time"

	"github.com/uptrace/bun"
)

// Targeting narrows who sees a tile; an empty field matches everyone.
type Targeting struct {
	MinAge        *int     `json:"minAge,omitempty"`
	MaxAge        *int     `json:"maxAge,omitempty"`
	Districts     []string `json:"districts,omitempty"`
	ChildAgeMin   *int     `json:"childAgeMin,omitempty"` // has a child in this age range
	ChildAgeMax   *int     `json:"childAgeMax,omitempty"`
	OpenCaseKinds []string `json:"openCaseKinds,omitempty"`
}

// Tile is one service tile; texts "title" and "description".
type Tile struct {
	bun.BaseModel `bun:"table:tiles"`

	ID           string     `bun:"id,pk"`
	AgencyID     string     `bun:"agency_id,notnull"`
	ExternalID   string     `bun:"external_id,notnull"`
	Version      int64      `bun:"version,notnull"`
	Link         string     `bun:"link,notnull"`
	Icon         string     `bun:"icon,notnull"`
	Category     string     `bun:"category,notnull"`
	Targeting    Targeting  `bun:"targeting,notnull"`
	Status       string     `bun:"status,notnull"` // "draft", "published"
	PublishFrom  *time.Time `bun:"publish_from"`
	PublishUntil *time.Time `bun:"publish_until"`
	CreatedAt    time.Time  `bun:"created_at,notnull"`
	UpdatedAt    time.Time  `bun:"updated_at,notnull"`
}
