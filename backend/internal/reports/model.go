// Package reports is the reporting service ("melde-tjeneste"): agencies publish what can be
// reported (services, with localized names and extra questions), citizens and other channels
// (Open311) report problems with a place and photos, duplicates nearby are found by an index both
// engines use, and the owning agency follows each report through its statuses, which reach the
// reporter and every follower by push. Public views never carry personal data.
package reports

import (
	"time"

	"github.com/uptrace/bun"
)

// What a service asks for a photo and for a place.
const (
	PhotoNone     = "none"
	PhotoOptional = "optional"
	PhotoRequired = "required"
	PlaceOptional = "optional"
	PlaceRequired = "required"
)

// Question types.
const (
	TypeText         = "text"
	TypeNumber       = "number"
	TypeDateTime     = "datetime"
	TypeSingleChoice = "singlechoice"
	TypeMultiChoice  = "multichoice"
)

// Statuses of a report. Submitted is where every report starts; the agency moves it on.
const (
	StatusSubmitted  = "submitted"
	StatusReceived   = "received"
	StatusInProgress = "in_progress"
	StatusFixed      = "fixed"
	StatusClosed     = "closed"
	StatusDuplicate  = "duplicate"
)

// AgencyStatuses are the statuses an agency may set.
var AgencyStatuses = []string{StatusReceived, StatusInProgress, StatusFixed, StatusClosed, StatusDuplicate}

// IsOpen reports whether a report in status is still open (shown nearby and on the public page).
func IsOpen(status string) bool {
	return status == StatusSubmitted || status == StatusReceived || status == StatusInProgress
}

// Channels a report came in by.
const (
	ChannelCitizen   = "minside"   // a logged-in person
	ChannelAnonymous = "anonymous" // no login: followed by the private link
	ChannelOpen311   = "open311"   // another system, through Open311 with an agency key
)

// ReportService is one thing that can be reported; texts "name" and "description" (owner_kind
// report_service). Code is global: Open311's service_code.
type ReportService struct {
	bun.BaseModel `bun:"table:report_services,alias:rs"`

	ID        string     `bun:"id,pk"`
	AgencyID  string     `bun:"agency_id,notnull"`
	Code      string     `bun:"code,notnull"`
	Group     string     `bun:"service_group,notnull"`
	Keywords  []string   `bun:"keywords,notnull"`
	Photo     string     `bun:"photo,notnull"`
	Place     string     `bun:"place,notnull"`
	Questions []Question `bun:"questions,notnull"`
	Active    bool       `bun:"active,notnull"`
	Version   int64      `bun:"version,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UpdatedAt time.Time  `bun:"updated_at,notnull"`
}

// Question is an extra question of a service, with its labels in several languages.
type Question struct {
	Code     string            `json:"code"`
	Label    map[string]string `json:"label"`
	Type     string            `json:"type"`
	Required bool              `json:"required"`
	Choices  []Choice          `json:"choices,omitempty"`
	Order    int               `json:"order"`
}

// Choice is one answer of a single- or multichoice question.
type Choice struct {
	Key   string            `json:"key"`
	Label map[string]string `json:"label"`
}

// Report is one report. CitizenID is the reporter when logged in (their directory id, never the
// national id); an anonymous report has only the hash of its follow-up token.
type Report struct {
	bun.BaseModel `bun:"table:reports,alias:r"`

	ID              string         `bun:"id,pk"`
	ServiceID       string         `bun:"service_id,notnull"`
	AgencyID        string         `bun:"agency_id,notnull"`
	CitizenID       *string        `bun:"citizen_id"`
	FollowTokenHash *string        `bun:"follow_token_hash"`
	Channel         string         `bun:"channel,notnull"`
	Description     string         `bun:"description,notnull"`
	LatMicro        *int64         `bun:"lat_micro"`
	LonMicro        *int64         `bun:"lon_micro"`
	Address         string         `bun:"address,notnull"`
	Answers         map[string]any `bun:"answers,notnull"`
	MediaURL        string         `bun:"media_url,notnull"`
	Status          string         `bun:"status,notnull"`
	DuplicateOf     *string        `bun:"duplicate_of"`
	CreatedAt       time.Time      `bun:"created_at,notnull"`
	UpdatedAt       time.Time      `bun:"updated_at,notnull"`
	ClosedAt        *time.Time     `bun:"closed_at"`

	Photos []*Photo `bun:"rel:has-many,join:id=report_id"`
}

// Lat and Lon are the place in degrees (ok false when the report has none).
func (r *Report) Lat() (float64, bool) {
	if r.LatMicro == nil {
		return 0, false
	}
	return float64(*r.LatMicro) / 1e6, true
}

// Lon is the longitude in degrees (see Lat).
func (r *Report) Lon() (float64, bool) {
	if r.LonMicro == nil {
		return 0, false
	}
	return float64(*r.LonMicro) / 1e6, true
}

// Photo is one checked, re-encoded photo of a report; the bytes live in the files store.
type Photo struct {
	bun.BaseModel `bun:"table:report_photos"`

	ID          string `bun:"id,pk"`
	ReportID    string `bun:"report_id,notnull"`
	Position    int    `bun:"position,notnull"`
	ContentType string `bun:"content_type,notnull"`
	Size        int64  `bun:"size,notnull"`
	Width       int    `bun:"width,notnull"`
	Height      int    `bun:"height,notnull"`
	StorageKey  string `bun:"storage_key,notnull"`
}

// Follower is a person who follows a report they did not write.
type Follower struct {
	bun.BaseModel `bun:"table:report_followers"`

	ReportID  string    `bun:"report_id,pk"`
	CitizenID string    `bun:"citizen_id,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}
