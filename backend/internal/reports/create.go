package reports

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/changes"
	"minside/backend/internal/ratelimit"
	"minside/backend/internal/store"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/uploads"
	"minside/backend/internal/webhook"
)

// EventCreated is the webhook the owning agency gets for a new report.
const EventCreated = "report.created"

// Bounds of a report's text.
const (
	MaxDescription = 2000
	MaxAddress     = 200
	MaxAnswer      = 500
)

// The plausible place of a report in Norway, Svalbard included: a point outside is a device that
// reports no real position (0,0) or swapped coordinates.
const (
	MinLat, MaxLat = 57.5, 81.5
	MinLon, MaxLon = 4.0, 33.0
)

var errNotFound = apperr.NotFound()

// NewReport is a report as sent. Answers are by question code; a multichoice question may have
// several values, every other type one.
type NewReport struct {
	Service     string
	Description string
	Lat, Lon    *float64
	Address     string
	Answers     map[string][]string
	Photos      []uploads.Input
	MediaURL    string // Open311's media_url: kept as a link, never fetched
}

// Reporter says who sends a report.
type Reporter struct {
	Channel   string // ChannelCitizen, ChannelAnonymous or ChannelOpen311
	CitizenID string // ChannelCitizen: the person's directory id
	AgencyID  string // ChannelOpen311: the agency whose key sent it (may report only to its own services)
}

// Created is a stored report; FollowToken is set only for an anonymous report and is shown once.
type Created struct {
	Report      *Report
	FollowToken string
	FollowURL   string
	storageKeys []string
}

// CreatedEvent is the data of the report.created webhook: no person, only what was reported,
// and a short-lived signed link per photo.
type CreatedEvent struct {
	ReportID    string         `json:"reportId"`
	Service     string         `json:"service"`
	Channel     string         `json:"channel"`
	Description string         `json:"description"`
	Lat         *float64       `json:"lat"`
	Lon         *float64       `json:"lon"`
	Address     string         `json:"address,omitempty"`
	Answers     map[string]any `json:"answers"`
	MediaURL    string         `json:"mediaUrl,omitempty"`
	CreatedAt   time.Time      `json:"createdAt"`
	Photos      []PhotoLink    `json:"photos"`
}

// PhotoLink is one photo with its signed, short-lived download link.
type PhotoLink struct {
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// AllowAnonymous counts one report without login from a client (a keyed hash of its address):
// AnonymousLimit per AnonymousWindow, across every replica.
func (s *Service) AllowAnonymous(ctx context.Context, db bun.IDB, client string) error {
	ok, retry, err := ratelimit.Allow(ctx, db, "report:"+client, s.d.AnonymousLimit, s.d.AnonymousWindow, s.d.Now())
	if err != nil {
		return err
	}
	if !ok {
		secs := int((retry + time.Second - 1) / time.Second)
		return apperr.New(apperr.CodeRateLimited).WithDetail("error.detail.too_many_attempts", nil).WithExtra("retryAfter", secs)
	}
	return nil
}

// CreateTx validates and stores a report in the caller's transaction (the web layer's
// idempotency record shares it), with its photos, the agency's webhook and the changes-feed row.
// A refused report gives one apperr.Invalid naming every field at fault and stores nothing. The
// photos are stored before the rows; if anything after fails they are removed, and a caller
// whose transaction fails after CreateTx returned calls Discard.
func (s *Service) CreateTx(ctx context.Context, tx bun.IDB, who Reporter, in NewReport) (*Created, error) {
	now := store.UTC(s.d.Now())
	svc, r, checked, err := s.check(ctx, tx, who, in)
	if err != nil {
		return nil, err
	}
	r.ID, r.ServiceID, r.AgencyID, r.Channel, r.Status = store.NewID(), svc.ID, svc.AgencyID, who.Channel, StatusSubmitted
	r.CreatedAt, r.UpdatedAt = now, now
	out := &Created{Report: r}
	switch who.Channel {
	case ChannelCitizen:
		id := who.CitizenID
		r.CitizenID = &id
	case ChannelAnonymous:
		token, hash, err := newFollowToken()
		if err != nil {
			return nil, err
		}
		r.FollowTokenHash = &hash
		out.FollowToken = token
		out.FollowURL = s.d.BaseURL + "/reports/" + r.ID + "?token=" + token
	}
	for i, f := range checked {
		p := &Photo{ID: store.NewID(), ReportID: r.ID, Position: i, ContentType: f.Type, Size: int64(len(f.Data)), Width: f.Width, Height: f.Height}
		p.StorageKey = FileOwner().Prefix + p.ID
		if err := s.d.Files.Put(ctx, p.StorageKey, bytes.NewReader(f.Data), p.Size, f.Type); err != nil {
			s.Discard(out)
			return nil, fmt.Errorf("reports: store photo: %w", err)
		}
		out.storageKeys = append(out.storageKeys, p.StorageKey)
		r.Photos = append(r.Photos, p)
	}
	if err := s.insert(ctx, tx, r, svc.Code, now); err != nil {
		s.Discard(out)
		return nil, err
	}
	return out, nil
}

func (s *Service) insert(ctx context.Context, tx bun.IDB, r *Report, code string, now time.Time) error {
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return fmt.Errorf("reports: insert: %w", err)
	}
	if len(r.Photos) > 0 {
		if _, err := tx.NewInsert().Model(&r.Photos).Exec(ctx); err != nil {
			return fmt.Errorf("reports: insert photos: %w", err)
		}
	}
	ev := CreatedEvent{ReportID: r.ID, Service: code, Channel: r.Channel, Description: r.Description, Address: r.Address,
		Answers: r.Answers, MediaURL: r.MediaURL, CreatedAt: now, Photos: s.photoLinks(r.Photos, now)}
	ev.Lat, ev.Lon = degrees(r.LatMicro), degrees(r.LonMicro)
	if err := webhook.Enqueue(ctx, tx, r.AgencyID, EventCreated, ev, now); err != nil {
		return err
	}
	if r.CitizenID != nil {
		return changes.Record(ctx, tx, r.CitizenID, "report", r.ID, changes.OpUpsert, now)
	}
	return nil
}

// Discard removes the photos of a report whose transaction did not commit.
func (s *Service) Discard(c *Created) {
	if c == nil {
		return
	}
	for _, k := range c.storageKeys {
		_ = s.d.Files.Delete(context.WithoutCancel(context.Background()), k)
	}
}

func (s *Service) photoLinks(photos []*Photo, now time.Time) []PhotoLink {
	out := make([]PhotoLink, 0, len(photos))
	for _, p := range photos {
		l := s.d.Links.Sign(p.ID, now)
		out = append(out, PhotoLink{ContentType: p.ContentType, Size: p.Size, Width: p.Width, Height: p.Height, URL: l.URL, ExpiresAt: l.ExpiresAt})
	}
	return out
}

// check validates everything before anything is written: the service, the text, the place, the
// answers and the photos, each problem at its field.
func (s *Service) check(ctx context.Context, db bun.IDB, who Reporter, in NewReport) (*ReportService, *Report, []uploads.File, error) {
	var errs apperr.Fields
	svc, err := loadService(ctx, db, in.Service)
	if err != nil {
		return nil, nil, nil, err
	}
	if svc == nil || !svc.Active || (who.Channel == ChannelOpen311 && svc.AgencyID != who.AgencyID) {
		if in.Service == "" {
			errs.Add("/service", "field.required", nil)
		} else {
			errs.Add("/service", "field.unknown_reference", nil)
		}
		svc = nil
	}
	r := &Report{Answers: map[string]any{}}
	desc, problem := textcheck.Check(in.Description, textcheck.Text.Limit(MaxDescription).Need(true))
	if problem != nil {
		errs.Add("/description", problem.Key, problem.Data)
	}
	r.Description = desc
	addr, problem := textcheck.Check(in.Address, textcheck.Line.Limit(MaxAddress))
	if problem != nil {
		errs.Add("/address", problem.Key, problem.Data)
	}
	r.Address = addr
	r.MediaURL = strings.TrimSpace(in.MediaURL)
	if r.MediaURL != "" && (len(r.MediaURL) > 500 || !strings.HasPrefix(r.MediaURL, "https://")) {
		errs.Add("/mediaUrl", "field.must_be_https", nil)
	}
	checkPlace(&errs, in, r)
	if svc != nil {
		if svc.Place == PlaceRequired && in.Lat == nil && in.Lon == nil && r.Address == "" {
			errs.Add("/lat", "field.required", nil)
		}
		checkAnswers(&errs, svc.Questions, in.Answers, r.Answers)
		switch {
		case svc.Photo == PhotoNone && len(in.Photos) > 0:
			errs.Add("/photos", uploads.KeyTooManyFiles, map[string]any{"Max": 0})
		case svc.Photo == PhotoRequired && len(in.Photos) == 0 && r.MediaURL == "":
			// Another channel (Open311) sends its photo as a link: that is the photo.
			errs.Add("/photos", "field.required", nil)
		}
	}
	var checked []uploads.File
	if len(in.Photos) > 0 {
		checked, err = uploads.Check("/photos", in.Photos, s.limits)
		if e, ok := apperr.As(err); ok {
			errs = append(errs, e.Fields...)
		} else if err != nil {
			return nil, nil, nil, err
		}
	}
	if err := errs.Err(); err != nil {
		return nil, nil, nil, err
	}
	return svc, r, checked, nil
}

// checkPlace takes lat and lon together, within Norway's bounds, in micro-degrees.
func checkPlace(errs *apperr.Fields, in NewReport, r *Report) {
	switch {
	case in.Lat == nil && in.Lon == nil:
		return
	case in.Lat == nil:
		errs.Add("/lat", "field.required", nil)
		return
	case in.Lon == nil:
		errs.Add("/lon", "field.required", nil)
		return
	}
	lat, lon := *in.Lat, *in.Lon
	ok := true
	if math.IsNaN(lat) || lat < MinLat || lat > MaxLat {
		errs.Add("/lat", "field.out_of_range", map[string]any{"Min": MinLat, "Max": MaxLat})
		ok = false
	}
	if math.IsNaN(lon) || lon < MinLon || lon > MaxLon {
		errs.Add("/lon", "field.out_of_range", map[string]any{"Min": MinLon, "Max": MaxLon})
		ok = false
	}
	if ok {
		la, lo := micro(lat), micro(lon)
		r.LatMicro, r.LonMicro = &la, &lo
	}
}

// checkAnswers checks the answers against the service's questions and writes them, typed, to out:
// text and single choice as a string, number as a number, date-time as RFC 3339 UTC, multichoice
// as a list of keys. An answer to no question is refused.
func checkAnswers(errs *apperr.Fields, questions []Question, answers map[string][]string, out map[string]any) {
	known := map[string]bool{}
	for _, q := range questions {
		known[q.Code] = true
		ptr := "/answers/" + q.Code
		var values []string
		for _, v := range answers[q.Code] {
			if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			if q.Required {
				errs.Add(ptr, "field.required", nil)
			}
			continue
		}
		if q.Type != TypeMultiChoice && len(values) > 1 {
			errs.Add(ptr, "field.too_many", map[string]any{"Max": 1})
			continue
		}
		keys := make([]string, 0, len(q.Choices))
		for _, ch := range q.Choices {
			keys = append(keys, ch.Key)
		}
		switch q.Type {
		case TypeText:
			v, problem := textcheck.Check(values[0], textcheck.Line.Limit(MaxAnswer))
			if problem != nil {
				errs.Add(ptr, problem.Key, problem.Data)
				continue
			}
			out[q.Code] = v
		case TypeNumber:
			n, err := strconv.ParseFloat(values[0], 64)
			if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
				errs.Add(ptr, "field.invalid", nil)
				continue
			}
			out[q.Code] = n
		case TypeDateTime:
			t, err := time.Parse(time.RFC3339, values[0])
			if err != nil {
				errs.Add(ptr, "field.invalid_time", nil)
				continue
			}
			out[q.Code] = t.UTC().Format(time.RFC3339)
		case TypeSingleChoice:
			if !slices.Contains(keys, values[0]) {
				errs.Add(ptr, "field.invalid_enum", map[string]any{"Allowed": strings.Join(keys, ", ")})
				continue
			}
			out[q.Code] = values[0]
		case TypeMultiChoice:
			var picked []string
			bad := false
			for _, v := range values {
				if !slices.Contains(keys, v) {
					bad = true
				} else if !slices.Contains(picked, v) {
					picked = append(picked, v)
				}
			}
			if bad {
				errs.Add(ptr, "field.invalid_enum", map[string]any{"Allowed": strings.Join(keys, ", ")})
				continue
			}
			out[q.Code] = picked
		}
	}
	for _, code := range sortedKeys(answers) {
		if !known[code] {
			errs.Add("/answers/"+code, "field.unknown", nil)
		}
	}
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// newFollowToken is the anonymous reporter's secret: 32 random bytes; only its hash is stored.
func newFollowToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("reports: follow token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func micro(deg float64) int64 { return int64(math.Round(deg * 1e6)) }

func degrees(m *int64) *float64 {
	if m == nil {
		return nil
	}
	d := float64(*m) / 1e6
	return &d
}

// PhotoLink signs the download link of one photo (the account export lists them).
func (s *Service) PhotoLink(photoID string, now time.Time) (string, time.Time) {
	l := s.d.Links.Sign(photoID, now)
	return l.URL, l.ExpiresAt
}
