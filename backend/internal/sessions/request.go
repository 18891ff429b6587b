package sessions

import (
	"context"
	"fmt"
	"time"

	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// Request is what a citizen request knows about its session, read together in one round trip on
// PostgreSQL: the session, the saved language, the person and the one acted for, the person's roles
// and whom they may act for (by represent's rules). The readers after it (the overview, /me) then
// ask the database only for their own data.
type Request struct {
	Session    *Session
	Language   string             // the saved language; "" when none was saved
	People     []citizens.Citizen // the logged-in person and, when acting, the subject: id, name, pid_masked, birth date, district, updated_at
	Roles      []citizens.Role
	Represents []represent.Represented
}

// Person is the row of id among People (nil when absent).
func (r *Request) Person(id string) *citizens.Citizen {
	for i := range r.People {
		if r.People[i].ID == id {
			return &r.People[i]
		}
	}
	return nil
}

// Rows as the reads decode them (bun tags on SQLite, json tags from PostgreSQL's JSON).
type (
	sessionRow struct {
		IDHash            string    `bun:"id_hash" json:"id_hash"`
		CitizenID         string    `bun:"citizen_id" json:"citizen_id"`
		ActingAsID        *string   `bun:"acting_as_id" json:"acting_as_id"`
		ACR               string    `bun:"acr" json:"acr"`
		IdPSID            string    `bun:"idp_sid" json:"idp_sid"`
		EndSessionHint    *string   `bun:"end_session_hint" json:"end_session_hint"`
		CSRFToken         string    `bun:"csrf_token" json:"csrf_token"`
		SharedDevice      bool      `bun:"shared_device" json:"shared_device"`
		UserAgent         string    `bun:"user_agent" json:"user_agent"`
		CreatedAt         time.Time `bun:"created_at" json:"created_at"`
		LastSeenAt        time.Time `bun:"last_seen_at" json:"last_seen_at"`
		IdleExpiresAt     time.Time `bun:"idle_expires_at" json:"idle_expires_at"`
		AbsoluteExpiresAt time.Time `bun:"absolute_expires_at" json:"absolute_expires_at"`
		Language          *string   `bun:"language" json:"language"`
	}
	personRow struct {
		ID        string    `bun:"id" json:"id"`
		Name      string    `bun:"name" json:"name"`
		PIDMasked string    `bun:"pid_masked" json:"pid_masked"`
		BirthDate time.Time `bun:"birth_date" json:"birth_date"`
		District  string    `bun:"district" json:"district"`
		UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`
	}
	roleRow struct {
		Role  string `bun:"role" json:"role"`
		Scope string `bun:"scope" json:"scope"`
	}
)

// ofSession is the condition "the citizen of the session" (one argument: the token's hash).
const ofSession = "(SELECT citizen_id FROM sessions WHERE id_hash = ?)"

// LookupRequest is Lookup with everything a citizen request needs (Request), queued on reads, which
// it runs. It returns nil when there is no live session. Expiring a session and sliding its idle
// expiry (at most once a minute) cost a statement of their own.
func (s *Store) LookupRequest(ctx context.Context, reads *store.Reads, token string, access represent.Access) (*Request, error) {
	if token == "" {
		return nil, nil
	}
	hash := Hash(token)
	now := store.UTC(s.now())
	birth := "c.birth_date"
	if reads.Kind() == store.Postgres { // a DATE does not decode into a time.Time from JSON; midnight UTC does
		birth = "(c.birth_date::timestamp AT TIME ZONE 'UTC')"
	}
	var sess []sessionRow
	var people []personRow
	var roles []roleRow
	reads.Add(&sess, `SELECT s.id_hash, s.citizen_id, s.acting_as_id, s.acr, s.idp_sid, s.end_session_hint, s.csrf_token,
 s.shared_device, s.user_agent, s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, p.language
FROM sessions s LEFT JOIN preferences p ON p.citizen_id = s.citizen_id WHERE s.id_hash = ?`, hash)
	reads.Add(&people, `SELECT c.id, c.name, c.pid_masked, `+birth+` AS birth_date, c.district, c.updated_at
FROM citizens c JOIN sessions s ON c.id = s.citizen_id OR c.id = s.acting_as_id WHERE s.id_hash = ?`, hash)
	reads.Add(&roles, `SELECT role, scope FROM citizen_roles WHERE citizen_id = `+ofSession+` ORDER BY role, scope`, hash)
	represents := access.QueueRepresents(reads, ofSession, []any{hash}, now)
	if err := reads.Run(ctx); err != nil {
		return nil, fmt.Errorf("sessions: lookup: %w", err)
	}
	if len(sess) == 0 {
		return nil, nil
	}
	row := sess[0]
	found := &Session{IDHash: row.IDHash, CitizenID: row.CitizenID, ActingAsID: row.ActingAsID, ACR: row.ACR, IdPSID: row.IdPSID,
		EndSessionHint: row.EndSessionHint, CSRFToken: row.CSRFToken, SharedDevice: row.SharedDevice, UserAgent: row.UserAgent,
		CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, IdleExpiresAt: row.IdleExpiresAt, AbsoluteExpiresAt: row.AbsoluteExpiresAt}
	live, err := s.keepAlive(ctx, found, now)
	if err != nil || !live {
		return nil, err
	}
	r := &Request{Session: found, Represents: represents.List()}
	if row.Language != nil {
		r.Language = *row.Language
	}
	for _, p := range people {
		r.People = append(r.People, citizens.Citizen{ID: p.ID, Name: p.Name, PIDMasked: p.PIDMasked, BirthDate: p.BirthDate,
			District: p.District, UpdatedAt: p.UpdatedAt})
	}
	for _, role := range roles {
		r.Roles = append(r.Roles, citizens.Role{CitizenID: found.CitizenID, Role: role.Role, Scope: role.Scope})
	}
	return r, nil
}
