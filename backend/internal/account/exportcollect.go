package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/auth"
	"minside/backend/internal/citizens"
	"minside/backend/internal/texts"
)

func (s *Service) collectPerson(ctx context.Context, db bun.IDB, id string, d *Data) error {
	var c citizens.Citizen
	if err := db.NewSelect().Model(&c).Where("id = ?", id).Scan(ctx); err != nil {
		return err
	}
	d.Person = ExportPerson{ID: c.ID, Name: c.Name, NationalIDMasked: c.PIDMasked, District: c.District,
		CreatedAt: c.CreatedAt.UTC(), LastLoginAt: c.LastLoginAt, CalendarFeedActive: c.CalendarTokenHash != nil}
	if !c.BirthDate.IsZero() {
		b := c.BirthDate.UTC()
		d.Person.BirthDate = &b
	}
	var p citizens.Preferences
	err := db.NewSelect().Model(&p).Where("citizen_id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		d.Preferences = ExportPreferences{Channels: map[string]citizens.Channel{}, RepresentedNotifications: true,
			QuietHours: ExportQuietHours{Enabled: true, Start: "22:00", End: "07:00"}}
	case err != nil:
		return err
	default:
		d.Preferences = ExportPreferences{Saved: true, Language: p.Language, Channels: p.Channels,
			QuietHours:               ExportQuietHours{Enabled: !p.QuietOff, Start: p.QuietStart, End: p.QuietEnd},
			RepresentedNotifications: p.RepresentedNotifications}
	}
	return nil
}

type caseRow struct {
	ID            string     `bun:"id"`
	Agency        string     `bun:"agency"`
	Status        string     `bun:"status"`
	Area          string     `bun:"area"`
	NextActionDue *time.Time `bun:"next_action_due"`
	Sensitive     bool       `bun:"sensitive"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

// collectCases reads every case with its timeline and documents; cleared says the login may see
// sensitive content (auth.Withholds).
func collectCases(ctx context.Context, db bun.IDB, id, lang string, cleared bool, d *Data) error {
	var rows []caseRow
	if err := db.NewRaw(`SELECT c.id, a.name AS agency, c.status, c.area, c.next_action_due, c.sensitive, c.created_at, c.updated_at
		FROM cases c JOIN agencies a ON a.id = c.agency_id WHERE c.citizen_id = ? ORDER BY c.updated_at DESC, c.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	caseTexts, err := texts.Load(ctx, db, "case", ids)
	if err != nil {
		return err
	}
	var events []struct {
		ID         string    `bun:"id"`
		CaseID     string    `bun:"case_id"`
		OccurredAt time.Time `bun:"occurred_at"`
	}
	var docs []struct {
		ID        string    `bun:"id"`
		CaseID    string    `bun:"case_id"`
		Name      string    `bun:"name"`
		DocType   string    `bun:"doc_type"`
		URL       string    `bun:"url"`
		Sensitive bool      `bun:"sensitive"`
		CreatedAt time.Time `bun:"created_at"`
	}
	if len(ids) > 0 {
		if err := db.NewRaw(`SELECT id, case_id, occurred_at FROM case_events WHERE case_id IN (?) ORDER BY occurred_at, id`, bun.In(ids)).Scan(ctx, &events); err != nil {
			return err
		}
		if err := db.NewRaw(`SELECT id, case_id, name, doc_type, url, sensitive, created_at FROM case_documents WHERE case_id IN (?) ORDER BY created_at, id`, bun.In(ids)).Scan(ctx, &docs); err != nil {
			return err
		}
	}
	eventIDs := make([]string, len(events))
	for i, e := range events {
		eventIDs[i] = e.ID
	}
	eventTexts, err := texts.Load(ctx, db, "case_event", eventIDs)
	if err != nil {
		return err
	}
	d.Cases = make([]ExportCase, 0, len(rows))
	at := map[string]int{}
	for _, r := range rows {
		at[r.ID] = len(d.Cases)
		if auth.Withholds(r.Sensitive, cleared) {
			d.Cases = append(d.Cases, ExportCase{ID: r.ID, Agency: r.Agency, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
				Texts: map[string]string{}, Events: []ExportEvent{}, Documents: []ExportDocument{}, Sensitive: true, Withheld: true})
			continue
		}
		t := inLanguage(caseTexts[r.ID], lang)
		d.Cases = append(d.Cases, ExportCase{ID: r.ID, Agency: r.Agency, Title: titleOf(t, r.Agency), Status: r.Status, Area: r.Area,
			NextActionDue: utcPtr(r.NextActionDue), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Texts: t,
			Events: []ExportEvent{}, Documents: []ExportDocument{}, Sensitive: r.Sensitive})
	}
	for _, e := range events {
		c := &d.Cases[at[e.CaseID]]
		if c.Withheld {
			continue
		}
		t := inLanguage(eventTexts[e.ID], lang)
		c.Events = append(c.Events, ExportEvent{ID: e.ID, OccurredAt: e.OccurredAt.UTC(), Title: titleOf(t, ""), Texts: t})
	}
	for _, doc := range docs {
		c := &d.Cases[at[doc.CaseID]]
		if c.Withheld {
			continue
		}
		out := ExportDocument{ID: doc.ID, Name: doc.Name, Type: doc.DocType, URL: doc.URL, CreatedAt: doc.CreatedAt.UTC(), Sensitive: doc.Sensitive}
		if auth.Withholds(doc.Sensitive, cleared) {
			out.Withheld, out.Name, out.URL = true, "", ""
		}
		c.Documents = append(c.Documents, out)
	}
	return nil
}

func collectBookings(ctx context.Context, db bun.IDB, id, lang string, d *Data) error {
	var rows []struct {
		ID           string     `bun:"id"`
		Agency       string     `bun:"agency"`
		PlaceName    string     `bun:"place_name"`
		PlaceAddress string     `bun:"place_address"`
		StartsAt     time.Time  `bun:"starts_at"`
		EndsAt       time.Time  `bun:"ends_at"`
		Status       string     `bun:"status"`
		CancelledAt  *time.Time `bun:"cancelled_at"`
	}
	if err := db.NewRaw(`SELECT b.id, a.name AS agency, b.place_name, b.place_address, b.starts_at, b.ends_at, b.status, b.cancelled_at
		FROM bookings b JOIN agencies a ON a.id = b.agency_id WHERE b.citizen_id = ? ORDER BY b.starts_at DESC, b.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	all, err := texts.Load(ctx, db, "booking", ids)
	if err != nil {
		return err
	}
	d.Bookings = make([]ExportBooking, 0, len(rows))
	for _, r := range rows {
		t := inLanguage(all[r.ID], lang)
		d.Bookings = append(d.Bookings, ExportBooking{ID: r.ID, Agency: r.Agency, Title: titleOf(t, r.PlaceName), Place: r.PlaceName,
			PlaceAddress: r.PlaceAddress, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(), Status: r.Status,
			CancelledAt: utcPtr(r.CancelledAt), Texts: t})
	}
	return nil
}

func collectKeys(ctx context.Context, db bun.IDB, id string, d *Data) error {
	var rows []struct {
		ID         string    `bun:"id"`
		Agency     string    `bun:"agency"`
		Facility   string    `bun:"facility"`
		Status     string    `bun:"status"`
		ValidFrom  time.Time `bun:"valid_from"`
		ValidUntil time.Time `bun:"valid_until"`
	}
	if err := db.NewRaw(`SELECT k.id, a.name AS agency, f.name AS facility, k.status, k.valid_from, k.valid_until
		FROM keys k JOIN agencies a ON a.id = k.agency_id JOIN facilities f ON f.id = k.facility_id
		WHERE k.citizen_id = ? ORDER BY k.valid_until DESC, k.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	d.Keys = make([]ExportKey, 0, len(rows))
	at := map[string]int{}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i], at[r.ID] = r.ID, i
		d.Keys = append(d.Keys, ExportKey{ID: r.ID, Agency: r.Agency, Facility: r.Facility, Status: r.Status,
			ValidFrom: r.ValidFrom.UTC(), ValidUntil: r.ValidUntil.UTC(), Windows: []ExportWindow{}, Uses: []ExportUse{}})
	}
	if len(ids) == 0 {
		return nil
	}
	var windows []struct {
		KeyID    string    `bun:"key_id"`
		StartsAt time.Time `bun:"starts_at"`
		EndsAt   time.Time `bun:"ends_at"`
	}
	if err := db.NewRaw(`SELECT key_id, starts_at, ends_at FROM key_windows WHERE key_id IN (?) ORDER BY starts_at`, bun.In(ids)).Scan(ctx, &windows); err != nil {
		return err
	}
	for _, w := range windows {
		k := &d.Keys[at[w.KeyID]]
		k.Windows = append(k.Windows, ExportWindow{StartsAt: w.StartsAt.UTC(), EndsAt: w.EndsAt.UTC()})
	}
	var uses []struct {
		KeyID  string    `bun:"key_id"`
		Actor  string    `bun:"actor_citizen_id"`
		Result string    `bun:"result"`
		At     time.Time `bun:"created_at"`
	}
	if err := db.NewRaw(`SELECT key_id, actor_citizen_id, result, created_at FROM key_uses WHERE key_id IN (?) ORDER BY created_at`, bun.In(ids)).Scan(ctx, &uses); err != nil {
		return err
	}
	for _, u := range uses {
		k := &d.Keys[at[u.KeyID]]
		k.Uses = append(k.Uses, ExportUse{At: u.At.UTC(), Result: u.Result, ByMe: u.Actor == id})
	}
	return nil
}

func collectNotifications(ctx context.Context, db bun.IDB, id, lang string, d *Data) error {
	var rows []struct {
		ID        string     `bun:"id"`
		Agency    *string    `bun:"agency"`
		Category  string     `bun:"category"`
		CreatedAt time.Time  `bun:"created_at"`
		ReadAt    *time.Time `bun:"read_at"`
	}
	if err := db.NewRaw(`SELECT n.id, a.name AS agency, n.category, n.created_at, n.read_at
		FROM notifications n LEFT JOIN agencies a ON a.id = n.agency_id WHERE n.citizen_id = ? ORDER BY n.created_at DESC, n.id`, id).Scan(ctx, &rows); err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	all, err := texts.Load(ctx, db, "notification", ids)
	if err != nil {
		return err
	}
	d.Notifications = make([]ExportNotification, 0, len(rows))
	for _, r := range rows {
		t := inLanguage(all[r.ID], lang)
		agency := "Min side" // a notice from the portal itself
		if r.Agency != nil {
			agency = *r.Agency
		}
		d.Notifications = append(d.Notifications, ExportNotification{ID: r.ID, Agency: agency, Category: r.Category,
			Title: titleOf(t, ""), CreatedAt: r.CreatedAt.UTC(), ReadAt: utcPtr(r.ReadAt), Texts: t})
	}
	return nil
}

func collectRelations(ctx context.Context, db bun.IDB, id string, d *Data) error {
	var rows []struct {
		ID               string     `bun:"id"`
		Kind             string     `bun:"kind"`
		RepresentativeID string     `bun:"representative_id"`
		Representative   string     `bun:"representative"`
		Subject          string     `bun:"subject"`
		Agency           string     `bun:"agency"`
		Scopes           []string   `bun:"scopes"`
		ValidFrom        time.Time  `bun:"valid_from"`
		ValidUntil       *time.Time `bun:"valid_until"`
	}
	err := db.NewRaw(`SELECT r.id, r.kind, r.representative_id, rp.name AS representative, sp.name AS subject, a.name AS agency,
		r.scopes, r.valid_from, r.valid_until
		FROM relations r JOIN citizens rp ON rp.id = r.representative_id JOIN citizens sp ON sp.id = r.subject_id
		JOIN agencies a ON a.id = r.agency_id WHERE r.representative_id = ? OR r.subject_id = ? ORDER BY r.valid_from, r.id`, id, id).Scan(ctx, &rows)
	if err != nil {
		return err
	}
	d.Relations = make([]ExportRelation, 0, len(rows))
	for _, r := range rows {
		rel := ExportRelation{ID: r.ID, Direction: "for_me", Kind: r.Kind, Person: r.Representative, Agency: r.Agency,
			Scopes: r.Scopes, ValidFrom: r.ValidFrom.UTC(), ValidUntil: utcPtr(r.ValidUntil)}
		if r.RepresentativeID == id {
			rel.Direction, rel.Person = "by_me", r.Subject
		}
		if rel.Scopes == nil {
			rel.Scopes = []string{}
		}
		d.Relations = append(d.Relations, rel)
	}
	return nil
}

func collectDevices(ctx context.Context, db bun.IDB, id string, d *Data) error {
	d.Devices, d.Sessions = []ExportDevice{}, []ExportSession{}
	if err := db.NewRaw(`SELECT id, label, created_at, last_sent_at FROM push_subscriptions WHERE citizen_id = ? ORDER BY created_at, id`, id).
		Scan(ctx, &d.Devices); err != nil {
		return err
	}
	return db.NewRaw(`SELECT created_at, last_seen_at, user_agent, shared_device FROM sessions WHERE citizen_id = ? ORDER BY created_at`, id).
		Scan(ctx, &d.Sessions)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
