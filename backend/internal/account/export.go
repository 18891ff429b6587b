// Package account is the citizen's own data: "download my data" (everything the portal holds about
// them, as one documented JSON document and as a readable, printable summary), the access log (who read or acted on their data) and closing the
// account.
//
// Closing deletes what the portal holds; what agencies hold stays with them. If an agency later
// pushes something about the same person, the citizen row is created again from the pseudonym of
// their national identity number (citizens.Directory.Ensure), with a new id and none of the old
// settings, devices or history: a fresh account, as for anyone the portal has not seen before.
package account

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
)

// Service serves a citizen's own data. It holds no state beyond the translator that puts the
// access log and the readable export into words.
type Service struct {
	tr      Translator
	oslo    *time.Location // in which the readable summary writes dates
	baseURL string         // the portal's origin, for the attachments' download links in the export
	// reportPhoto signs a report photo's link (report photos have no login route: the reporting
	// service serves them by signed links); nil leaves the links out.
	reportPhoto reportPhotoLink
}

// New builds the service. Oslo time comes from the system's time zone database, as everywhere in
// the portal (notify refuses to start without it); UTC is only a last resort for the summary.
func New(tr Translator) *Service {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		loc = time.UTC
	}
	return &Service{tr: tr, oslo: loc}
}

// WithBaseURL makes the export's download links absolute on the portal's origin (without it they
// are paths on the portal).
func (s *Service) WithBaseURL(baseURL string) *Service {
	s.baseURL = strings.TrimRight(baseURL, "/")
	return s
}

// WithReportPhotoLinks gives the export the reporting service's signer of photo links.
func (s *Service) WithReportPhotoLinks(sign func(photoID string, now time.Time) (string, time.Time)) *Service {
	s.reportPhoto = sign
	return s
}

// ideaPhotoURL is where the person downloads the photo of their idea with their login.
func (s *Service) ideaPhotoURL(id string) string { return s.baseURL + "/api/v1/ideas/" + id + "/photo" }

// attachmentURL is where the person downloads a message's attachment with their login.
func (s *Service) attachmentURL(id string) string { return s.baseURL + "/api/v1/attachments/" + id }

// Export gathers everything the portal holds about the citizen (Data), agency texts and the access
// log in lang, and audits the export in the same transaction. cleared says the login is at the
// step-up level: below it, sensitive tasks and drafts are listed without their content, as on the
// overview. The web layer answers it as JSON or as the readable summary (RenderHTML).
func (s *Service) Export(ctx context.Context, db *store.DB, citizenID, lang string, cleared bool, requestID string, now time.Time) (Data, error) {
	var out Data
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if out, err = s.collect(ctx, tx, citizenID, lang, cleared, now); err != nil {
			return err
		}
		me := citizenID
		return audit.Record(ctx, tx, audit.Entry{At: store.UTC(now), ActorKind: audit.ActorCitizen, ActorID: &me, SubjectID: &me,
			Action: audit.ActionExport, ObjectKind: "citizen", ObjectID: me, RequestID: requestID})
	})
	if err != nil {
		return Data{}, err
	}
	return out, nil
}
