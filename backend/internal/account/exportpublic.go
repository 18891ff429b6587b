package account

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/ideas"
	"minside/backend/internal/reports"
	"minside/backend/internal/texts"
)

// ExportReport is a report the person sent (Mine) or follows: what, where, its status with the
// agency's reason, and its photos. Status history: the portal keeps the current status and its
// reason only (docs/reporting.md).
type ExportReport struct {
	ID           string         `json:"id"`
	Mine         bool           `json:"mine"` // false: the person follows someone else's report
	Service      string         `json:"service"`
	Agency       string         `json:"agency"`
	Description  string         `json:"description"` // empty on a followed report: another person's words
	Address      string         `json:"address"`
	Lat          *float64       `json:"lat"`
	Lon          *float64       `json:"lon"`
	Status       string         `json:"status"` // submitted, received, in_progress, fixed, closed, duplicate
	StatusReason string         `json:"statusReason"`
	CreatedAt    time.Time      `json:"createdAt"`
	UpdatedAt    time.Time      `json:"updatedAt"`
	ClosedAt     *time.Time     `json:"closedAt"`
	FollowedAt   *time.Time     `json:"followedAt"`
	Photos       []ExportPhoto  `json:"photos"`
	Answers      map[string]any `json:"answers"` // the service's extra questions, on the person's own report
}

// ExportPhoto is a photo of a report or an idea. As with attachments the bytes are not in the
// export: URL downloads them (a report's photo by a signed link until ExpiresAt, an idea's with
// the person's login).
type ExportPhoto struct {
	ContentType string     `json:"contentType"`
	Size        int64      `json:"size"` // bytes
	URL         string     `json:"url"`
	ExpiresAt   *time.Time `json:"expiresAt"`
}

// ExportIdea is an idea the person wrote (Mine, with the municipality's reasons and how many
// support it) or one of someone else's they support (only its title, status and count: the
// rest is another resident's).
type ExportIdea struct {
	ID           string       `json:"id"`
	Mine         bool         `json:"mine"`
	Title        string       `json:"title"`
	Body         string       `json:"body"`
	Area         string       `json:"area"`
	District     string       `json:"district"`
	Status       string       `json:"status"` // received, being_assessed, tried_out, adopted, declined
	StatusReason string       `json:"statusReason"`
	Hidden       bool         `json:"hidden"`
	HiddenReason string       `json:"hiddenReason"`
	SupportCount int64        `json:"supportCount"`
	SupportedAt  *time.Time   `json:"supportedAt"` // when the person supported someone else's idea
	CreatedAt    time.Time    `json:"createdAt"`
	UpdatedAt    time.Time    `json:"updatedAt"`
	Photo        *ExportPhoto `json:"photo"`
}

// reportPhotoLink signs a report photo's download link; nil leaves the URL empty.
type reportPhotoLink func(photoID string, now time.Time) (url string, expires time.Time)

func collectReports(ctx context.Context, db bun.IDB, id, lang string, link reportPhotoLink, now time.Time, d *Data) error {
	var rows []struct {
		reports.Report `bun:",extend"`
		Agency         string     `bun:"agency"`
		Mine           bool       `bun:"mine"`
		FollowedAt     *time.Time `bun:"followed_at"`
	}
	if err := db.NewRaw(`SELECT r.*, a.name AS agency, (r.citizen_id IS NOT NULL AND r.citizen_id = ?) AS mine, f.created_at AS followed_at
		FROM reports r JOIN agencies a ON a.id = r.agency_id
		LEFT JOIN report_followers f ON f.report_id = r.id AND f.citizen_id = ?
		WHERE r.citizen_id = ? OR f.citizen_id IS NOT NULL ORDER BY r.created_at DESC, r.id`, id, id, id).Scan(ctx, &rows); err != nil {
		return err
	}
	ids, services := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], services[i] = r.ID, r.ServiceID
	}
	reasons, err := texts.Load(ctx, db, "report", ids)
	if err != nil {
		return err
	}
	names, err := texts.Load(ctx, db, reports.TextOwnerService, services)
	if err != nil {
		return err
	}
	var photos []reports.Photo
	if len(ids) > 0 {
		if err := db.NewSelect().Model(&photos).Where("report_id IN (?)", bun.In(ids)).Order("report_id", "position").Scan(ctx); err != nil {
			return err
		}
	}
	d.Reports = make([]ExportReport, 0, len(rows))
	at := map[string]int{}
	for _, r := range rows {
		e := ExportReport{ID: r.ID, Mine: r.Mine, Service: inLanguage(names[r.ServiceID], lang)["name"], Agency: r.Agency,
			Address: r.Address, Status: r.Status, StatusReason: inLanguage(reasons[r.ID], lang)["statusReason"],
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ClosedAt: utcPtr(r.ClosedAt), FollowedAt: utcPtr(r.FollowedAt),
			Photos: []ExportPhoto{}, Answers: map[string]any{}}
		if r.Mine {
			e.Description, e.Answers = r.Description, r.Answers
			if e.Answers == nil {
				e.Answers = map[string]any{}
			}
		}
		e.Lat, e.Lon = microDegrees(r.LatMicro), microDegrees(r.LonMicro)
		at[r.ID] = len(d.Reports)
		d.Reports = append(d.Reports, e)
	}
	for _, p := range photos {
		e := &d.Reports[at[p.ReportID]]
		ph := ExportPhoto{ContentType: p.ContentType, Size: p.Size}
		if link != nil {
			url, expires := link(p.ID, now)
			ph.URL, ph.ExpiresAt = url, utcPtr(&expires)
		}
		e.Photos = append(e.Photos, ph)
	}
	return nil
}

// collectIdeas reads the person's own ideas and those of others they support; ideaPhotoURL is
// the download link of an idea's photo.
func collectIdeas(ctx context.Context, db bun.IDB, id, lang string, ideaPhotoURL func(string) string, d *Data) error {
	var rows []struct {
		ideas.Idea  `bun:",extend"`
		SupportedAt *time.Time `bun:"supported_at"`
	}
	if err := db.NewRaw(`SELECT i.*, s.created_at AS supported_at FROM ideas i
		LEFT JOIN idea_supports s ON s.idea_id = i.id AND s.citizen_id = ?
		WHERE i.author_id = ? OR s.citizen_id IS NOT NULL ORDER BY i.created_at DESC, i.id`, id, id).Scan(ctx, &rows); err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	reasons, err := texts.Load(ctx, db, ideas.TextOwner, ids)
	if err != nil {
		return err
	}
	d.Ideas = make([]ExportIdea, 0, len(rows))
	for _, r := range rows {
		e := ExportIdea{ID: r.ID, Mine: r.AuthorID == id, Title: r.Title, Area: r.Area, Status: r.Status, SupportCount: r.SupportCount,
			SupportedAt: utcPtr(r.SupportedAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if e.Mine {
			t := inLanguage(reasons[r.ID], lang)
			e.Body, e.District, e.StatusReason = r.Body, r.District, t[ideas.FieldStatusReason]
			e.Hidden, e.HiddenReason = r.Hidden(), t[ideas.FieldHiddenReason]
			if r.HasPhoto() {
				e.Photo = &ExportPhoto{ContentType: deref(r.PhotoType), URL: ideaPhotoURL(r.ID)}
				if r.PhotoSize != nil {
					e.Photo.Size = *r.PhotoSize
				}
			}
		}
		d.Ideas = append(d.Ideas, e)
	}
	return nil
}

func microDegrees(m *int64) *float64 {
	if m == nil {
		return nil
	}
	v := float64(*m) / 1e6
	return &v
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
