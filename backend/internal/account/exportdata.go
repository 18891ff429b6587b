package account

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/texts"
)

// ExportFormat names the shape of Data; a change that breaks a reader gets a new number.
const ExportFormat = "minside-export/1"

// Data is "download my data": everything Min side holds about the person, in the shape documented
// in docs/citizen-api.md, with stable field names. It carries the portal's ids so a program can
// join it with the API; the readable summary (HTML) leaves them out. Secrets (the pseudonym of the
// national identity number, push credentials, session and calendar tokens) are never in it.
type Data struct {
	Format           string                  `json:"format"`
	ExportedAt       time.Time               `json:"exportedAt"`
	Language         string                  `json:"language"` // of the agency texts and words below
	Person           ExportPerson            `json:"person"`
	Preferences      ExportPreferences       `json:"preferences"`
	Cases            []ExportCase            `json:"cases"`
	Errands          []ExportErrand          `json:"errands"`
	Messages         []ExportMessage         `json:"messages"`
	Tasks            []ExportTask            `json:"tasks"` // tasks and drafts
	Acknowledgements []ExportAcknowledgement `json:"acknowledgements"`
	Reports          []ExportReport          `json:"reports"` // sent or followed
	Ideas            []ExportIdea            `json:"ideas"`   // written or supported
	Bookings         []ExportBooking         `json:"bookings"`
	Keys             []ExportKey             `json:"keys"`
	Notifications    []ExportNotification    `json:"notifications"`
	Relations        []ExportRelation        `json:"relations"`
	Devices          []ExportDevice          `json:"devices"`
	Sessions         []ExportSession         `json:"sessions"`
	AccessLog        []Entry                 `json:"accessLog"`
}

// ExportPerson is the person as the portal knows them; the national identity number only masked.
type ExportPerson struct {
	ID                 string     `json:"id"`
	Name               string     `json:"name"`
	NationalIDMasked   string     `json:"nationalIdMasked"` // e.g. "010185*****"
	BirthDate          *time.Time `json:"birthDate"`
	District           string     `json:"district"`
	CreatedAt          time.Time  `json:"createdAt"`
	LastLoginAt        *time.Time `json:"lastLoginAt"`
	CalendarFeedActive bool       `json:"calendarFeedActive"`
}

// ExportPreferences are the saved choices; Saved is false when the defaults apply.
type ExportPreferences struct {
	Saved                    bool                        `json:"saved"`
	Language                 string                      `json:"language"`
	QuietHours               ExportQuietHours            `json:"quietHours"`
	Channels                 map[string]citizens.Channel `json:"channels"`
	RepresentedNotifications bool                        `json:"representedNotifications"`
}

// ExportQuietHours mirrors the preferences API.
type ExportQuietHours struct {
	Enabled bool   `json:"enabled"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// ExportCase is one case with its timeline and document links.
type ExportCase struct {
	ID            string            `json:"id"`
	Agency        string            `json:"agency"`
	Title         string            `json:"title"`
	Status        string            `json:"status"` // received, in_progress, awaiting_citizen, decided, closed
	Area          string            `json:"area"`
	NextActionDue *time.Time        `json:"nextActionDue"`
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	Texts         map[string]string `json:"texts"` // every agency text field, in Language
	Events        []ExportEvent     `json:"events"`
	Documents     []ExportDocument  `json:"documents"`
	Sensitive     bool              `json:"sensitive"`
	// Withheld: sensitive, exported from a login below the step-up level (auth.Withholds, as on
	// every screen): only its agency and dates; no title, status, area, texts, timeline or documents.
	Withheld bool `json:"withheld"`
}

// ExportEvent is one entry of a case's timeline.
type ExportEvent struct {
	ID         string            `json:"id"`
	OccurredAt time.Time         `json:"occurredAt"`
	Title      string            `json:"title"`
	Texts      map[string]string `json:"texts"`
}

// ExportDocument is a link to a document the agency holds.
type ExportDocument struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"createdAt"`
	Sensitive bool      `json:"sensitive"`
	Withheld  bool      `json:"withheld"` // sensitive, below the step-up level: no name or link
}

// ExportBooking is one booking.
type ExportBooking struct {
	ID           string            `json:"id"`
	Agency       string            `json:"agency"`
	Title        string            `json:"title"`
	Place        string            `json:"place"`
	PlaceAddress string            `json:"placeAddress"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	Status       string            `json:"status"` // confirmed, cancelled, completed
	CancelledAt  *time.Time        `json:"cancelledAt"`
	Texts        map[string]string `json:"texts"`
}

// ExportKey is one digital key with its windows and uses.
type ExportKey struct {
	ID         string         `json:"id"`
	Agency     string         `json:"agency"`
	Facility   string         `json:"facility"`
	Status     string         `json:"status"` // active, suspended, revoked, expired
	ValidFrom  time.Time      `json:"validFrom"`
	ValidUntil time.Time      `json:"validUntil"`
	Windows    []ExportWindow `json:"windows"`
	Uses       []ExportUse    `json:"uses"`
}

// ExportWindow is one period in which a key works.
type ExportWindow struct {
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

// ExportUse is one press of the open button with a key.
type ExportUse struct {
	At     time.Time `json:"at"`
	Result string    `json:"result"`
	ByMe   bool      `json:"byMe"` // false: someone acting for the person
}

// ExportNotification is one notification in the inbox.
type ExportNotification struct {
	ID        string            `json:"id"`
	Agency    string            `json:"agency"`
	Category  string            `json:"category"`
	Title     string            `json:"title"`
	CreatedAt time.Time         `json:"createdAt"`
	ReadAt    *time.Time        `json:"readAt"`
	Texts     map[string]string `json:"texts"`
}

// ExportRelation is who may act for whom: Direction "for_me" (someone acts for the person) or
// "by_me" (the person acts for someone).
type ExportRelation struct {
	ID         string     `json:"id"`
	Direction  string     `json:"direction"`
	Kind       string     `json:"kind"` // guardian, power_of_attorney
	Person     string     `json:"person"`
	Agency     string     `json:"agency"`
	Scopes     []string   `json:"scopes"`
	ValidFrom  time.Time  `json:"validFrom"`
	ValidUntil *time.Time `json:"validUntil"`
}

// ExportDevice is a device that gets push notifications (never its push credentials).
type ExportDevice struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastSentAt *time.Time `json:"lastSentAt"`
}

// ExportSession is a login that is still open (never its token).
type ExportSession struct {
	CreatedAt    time.Time `json:"createdAt"`
	LastSeenAt   time.Time `json:"lastSeenAt"`
	UserAgent    string    `json:"userAgent"`
	SharedDevice bool      `json:"sharedDevice"`
}

// collect reads everything about the person in one transaction, agency texts in lang's chain;
// cleared says the login may see sensitive content.
func (s *Service) collect(ctx context.Context, tx bun.IDB, citizenID, lang string, cleared bool, now time.Time) (Data, error) {
	d := Data{Format: ExportFormat, ExportedAt: now.UTC(), Language: lang}
	steps := []struct {
		name string
		run  func() error
	}{
		{"person", func() error { return s.collectPerson(ctx, tx, citizenID, &d) }},
		{"cases", func() error { return collectCases(ctx, tx, citizenID, lang, cleared, &d) }},
		{"errands", func() error { return collectErrands(ctx, tx, citizenID, lang, &d) }},
		{"messages", func() error { return collectMessages(ctx, tx, citizenID, s.attachmentURL, cleared, &d) }},
		{"tasks", func() error { return collectTasks(ctx, tx, citizenID, lang, cleared, &d) }},
		{"acknowledgements", func() error { return collectAcknowledgements(ctx, tx, citizenID, cleared, &d) }},
		{"reports", func() error { return collectReports(ctx, tx, citizenID, lang, s.reportPhoto, now, &d) }},
		{"ideas", func() error { return collectIdeas(ctx, tx, citizenID, lang, s.ideaPhotoURL, &d) }},
		{"bookings", func() error { return collectBookings(ctx, tx, citizenID, lang, &d) }},
		{"keys", func() error { return collectKeys(ctx, tx, citizenID, &d) }},
		{"notifications", func() error { return collectNotifications(ctx, tx, citizenID, lang, &d) }},
		{"relations", func() error { return collectRelations(ctx, tx, citizenID, &d) }},
		{"devices", func() error { return collectDevices(ctx, tx, citizenID, &d) }},
		{"access log", func() error {
			var err error
			d.AccessLog, err = s.fullAccessLog(ctx, tx, citizenID, lang)
			return err
		}},
	}
	for _, step := range steps {
		if err := step.run(); err != nil {
			return d, fmt.Errorf("account: export %s: %w", step.name, err)
		}
	}
	return d, nil
}

// fullAccessLog is every page of the access log.
func (s *Service) fullAccessLog(ctx context.Context, db bun.IDB, citizenID, lang string) ([]Entry, error) {
	out := []Entry{}
	cursor := ""
	for {
		page, next, err := s.AccessLog(ctx, db, citizenID, lang, cursor, 100)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// inLanguage picks each text field in the first language of lang's chain that has it.
func inLanguage(f texts.Fields, lang string) map[string]string {
	out := map[string]string{}
	for field, values := range f {
		for _, l := range i18n.Chain(lang) {
			if v := values[l]; v != "" {
				out[field] = v
				break
			}
		}
		if _, ok := out[field]; !ok {
			for _, v := range values { // a language outside the chain is better than nothing
				out[field] = v
				break
			}
		}
	}
	return out
}

// titleOf is the text a person would call the object by.
func titleOf(t map[string]string, fallback string) string {
	for _, f := range []string{"title", "name", "resource", "summary"} {
		if t[f] != "" {
			return t[f]
		}
	}
	return fallback
}
