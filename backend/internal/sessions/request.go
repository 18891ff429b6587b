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
	pending := s.QueueLookup(reads, token, access)
	if err := reads.Run(ctx); err != nil {
		return nil, fmt.Errorf("sessions: lookup: %w", err)
	}
	return pending.Finish(ctx)
}

// PendingLookup is a LookupRequest queued on reads that have not run yet: other reads can travel
// in the same statement, and Finish reads the answer once they ran.
type PendingLookup struct {
	store      *Store
	hash       string
	now        time.Time
	sess       []sessionRow
	people     []personRow
	roles      []roleRow
	represents *represent.QueuedRepresents
}

// QueueLookup queues the reads of a LookupRequest of token (not empty) on reads.
func (s *Store) QueueLookup(reads *store.Reads, token string, access represent.Access) *PendingLookup {
	p := &PendingLookup{store: s, hash: Hash(token), now: store.UTC(s.now())}
	birth := "c.birth_date"
	if reads.Kind() == store.Postgres { // a DATE does not decode into a time.Time from JSON; midnight UTC does
		birth = "(c.birth_date::timestamp AT TIME ZONE 'UTC')"
	}
	reads.Add(&p.sess, `SELECT s.id_hash, s.citizen_id, s.acting_as_id, s.acr, s.idp_sid, s.end_session_hint, s.csrf_token,
 s.shared_device, s.user_agent, s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, p.language
FROM sessions s LEFT JOIN preferences p ON p.citizen_id = s.citizen_id WHERE s.id_hash = ?`, p.hash)
	reads.Add(&p.people, `SELECT c.id, c.name, c.pid_masked, `+birth+` AS birth_date, c.district, c.updated_at
FROM citizens c JOIN sessions s ON c.id = s.citizen_id OR c.id = s.acting_as_id WHERE s.id_hash = ?`, p.hash)
	reads.Add(&p.roles, `SELECT role, scope FROM citizen_roles WHERE citizen_id = `+ofSession+` ORDER BY role, scope`, p.hash)
	p.represents = access.QueueRepresents(reads, ofSession, []any{p.hash}, p.now)
	return p
}

// Finish is the answer of the lookup, after its reads ran: nil when there is no live session. The
// answer is kept as the session's hint (Hint) until the next lookup of the session.
func (p *PendingLookup) Finish(ctx context.Context) (*Request, error) {
	s := p.store
	if len(p.sess) == 0 {
		s.hints.forget(p.hash)
		return nil, nil
	}
	row := p.sess[0]
	found := &Session{IDHash: row.IDHash, CitizenID: row.CitizenID, ActingAsID: row.ActingAsID, ACR: row.ACR, IdPSID: row.IdPSID,
		EndSessionHint: row.EndSessionHint, CSRFToken: row.CSRFToken, SharedDevice: row.SharedDevice, UserAgent: row.UserAgent,
		CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, IdleExpiresAt: row.IdleExpiresAt, AbsoluteExpiresAt: row.AbsoluteExpiresAt}
	live, err := s.keepAlive(ctx, found, p.now)
	if err != nil || !live {
		s.hints.forget(p.hash)
		return nil, err
	}
	r := &Request{Session: found, Represents: p.represents.List()}
	if row.Language != nil {
		r.Language = *row.Language
	}
	for _, person := range p.people {
		r.People = append(r.People, citizens.Citizen{ID: person.ID, Name: person.Name, PIDMasked: person.PIDMasked,
			BirthDate: person.BirthDate, District: person.District, UpdatedAt: person.UpdatedAt})
	}
	for _, role := range p.roles {
		r.Roles = append(r.Roles, citizens.Role{CitizenID: found.CitizenID, Role: role.Role, Scope: role.Scope})
	}
	s.hints.keep(p.hash, r)
	return r, nil
}
