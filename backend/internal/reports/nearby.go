package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
	"minside/backend/internal/texts"
)

// NearbyRadius is how close an open report of the same service must be to count as "already
// reported": a street light or a pothole a few houses away is likely the same one.
const NearbyRadius = 50.0

// MaxNearby bounds the duplicates shown before sending.
const MaxNearby = 20

// earthRadius is the mean radius of the Earth in metres (haversine distances).
const earthRadius = 6371008.8

// Nearby is an open report close to a place, without anything about who sent it.
type Nearby struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
	DistanceM   int       `json:"distanceM"`
}

type placeRow struct {
	bun.BaseModel `bun:"table:reports,alias:r"`

	ID          string    `bun:"id"`
	ServiceID   string    `bun:"service_id"`
	Status      string    `bun:"status"`
	Description string    `bun:"description"`
	Address     string    `bun:"address"`
	LatMicro    int64     `bun:"lat_micro"`
	LonMicro    int64     `bun:"lon_micro"`
	CreatedAt   time.Time `bun:"created_at"`
}

// Nearby lists the open reports of service within NearbyRadius of (lat, lon), closest first.
// The database narrows by a bounding box in integer micro-degrees on the partial index
// reports_open_place (service, lat, lon), which both engines use; the exact distance is computed
// here.
func (s *Service) Nearby(ctx context.Context, service string, lat, lon float64) ([]Nearby, error) {
	var errs apperr.Fields
	svc, err := loadService(ctx, s.d.DB, service)
	if err != nil {
		return nil, err
	}
	if svc == nil {
		errs.Add("/service", "field.unknown_reference", nil)
	}
	var in NewReport
	in.Lat, in.Lon = &lat, &lon
	checkPlace(&errs, in, &Report{})
	if err := errs.Err(); err != nil {
		return nil, err
	}
	dLat := NearbyRadius / 111_320.0
	dLon := NearbyRadius / (111_320.0 * math.Cos(lat*math.Pi/180))
	var rows []placeRow
	err = s.d.DB.NewSelect().Model(&rows).Column("id", "status", "description", "lat_micro", "lon_micro", "created_at").
		Where("service_id = ?", svc.ID).Where("closed_at IS NULL").
		Where("lat_micro BETWEEN ? AND ?", micro(lat-dLat), micro(lat+dLat)).
		Where("lon_micro BETWEEN ? AND ?", micro(lon-dLon), micro(lon+dLon)).
		Limit(500).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: nearby: %w", err)
	}
	out := []Nearby{}
	for _, r := range rows {
		d := Distance(lat, lon, float64(r.LatMicro)/1e6, float64(r.LonMicro)/1e6)
		if d <= NearbyRadius {
			out = append(out, Nearby{ID: r.ID, Status: r.Status, Description: r.Description, CreatedAt: r.CreatedAt, DistanceM: int(math.Round(d))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceM < out[j].DistanceM })
	if len(out) > MaxNearby {
		out = out[:MaxNearby]
	}
	return out, nil
}

// Distance is the great-circle distance in metres between two points (haversine).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Public list bounds: an area at most about a city wide, at most MaxPublic reports.
const (
	MaxPublicSpan = 0.5 // degrees of latitude or longitude
	MaxPublic     = 200
)

// Public is an open report on the public page: what and where, never who.
type Public struct {
	ID          string    `json:"id"`
	Service     string    `json:"service"`
	ServiceName string    `json:"serviceName"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	Address     string    `json:"address,omitempty"`
	Lat         float64   `json:"lat"`
	Lon         float64   `json:"lon"`
	CreatedAt   time.Time `json:"createdAt"`
}

// BBox is an area: minLon, minLat, maxLon, maxLat (the order of GeoJSON and OpenStreetMap).
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// PublicList lists open reports inside box, newest first, at most MaxPublic (Truncated says more
// exist).
func (s *Service) PublicList(ctx context.Context, box BBox, lang string) (list []Public, truncated bool, err error) {
	if box.MinLat >= box.MaxLat || box.MinLon >= box.MaxLon || box.MaxLat-box.MinLat > MaxPublicSpan ||
		box.MaxLon-box.MinLon > MaxPublicSpan || math.IsNaN(box.MinLat+box.MinLon+box.MaxLat+box.MaxLon) {
		return nil, false, apperr.Invalid(apperr.Field("/bbox", "field.invalid", nil))
	}
	var rows []placeRow
	err = s.d.DB.NewSelect().Model(&rows).Column("id", "service_id", "status", "description", "address", "lat_micro", "lon_micro", "created_at").
		Where("closed_at IS NULL").
		Where("lat_micro BETWEEN ? AND ?", micro(box.MinLat), micro(box.MaxLat)).
		Where("lon_micro BETWEEN ? AND ?", micro(box.MinLon), micro(box.MaxLon)).
		OrderExpr("id DESC").Limit(MaxPublic + 1).Scan(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("reports: public list: %w", err)
	}
	if len(rows) > MaxPublic {
		rows, truncated = rows[:MaxPublic], true
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ServiceID)
	}
	codes, err := serviceCodes(ctx, s.d.DB, ids)
	if err != nil {
		return nil, false, err
	}
	names, err := texts.Load(ctx, s.d.DB, TextOwnerService, ids)
	if err != nil {
		return nil, false, err
	}
	list = make([]Public, 0, len(rows))
	for _, r := range rows {
		name, _ := i18n.Pick(names[r.ServiceID]["name"], lang)
		list = append(list, Public{ID: r.ID, Service: codes[r.ServiceID], ServiceName: name, Status: r.Status, Description: r.Description,
			Address: r.Address, Lat: float64(r.LatMicro) / 1e6, Lon: float64(r.LonMicro) / 1e6, CreatedAt: r.CreatedAt})
	}
	return list, truncated, nil
}
