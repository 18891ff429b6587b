package suggest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
)

// Engine evaluates the published rules over people's facts and keeps their suggestions: one row
// per (rule, person, occurrence), made when a rule starts to hold, withdrawn when it stops.
type Engine struct {
	db  *store.DB
	env *Env
	now func() time.Time
	log *slog.Logger

	mu       sync.Mutex
	compiled map[string]*compiledRule // by rule id; replaced when the rule's version changes
	writeMu  sync.Mutex               // on SQLite, one sweep chunk writes at a time
	notify   bool                     // enqueue a push event for every new suggestion
}

// compiledRule is a rule as the engine keeps it between evaluations.
type compiledRule struct {
	*Rule
	version   int64
	updatedAt time.Time
	why       string // the why-text the audit log quotes: nb, else en, else any
}

// NewEngine builds the engine; notify enqueues a TopicNotify event (kind "suggestion") for every
// new suggestion, so a person who asked for them gets a push.
func NewEngine(db *store.DB, env *Env, now func() time.Time, log *slog.Logger, notify bool) *Engine {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{db: db, env: env, now: now, log: log, compiled: map[string]*compiledRule{}, notify: notify}
}

// Outcome counts what an evaluation did.
type Outcome struct {
	People    int // evaluated
	Made      int // new or active again
	Withdrawn int
	Failed    int // rule evaluations that failed (the cost limit, a runtime error); the rule is skipped
}

func (o *Outcome) add(b Outcome) {
	o.People += b.People
	o.Made += b.Made
	o.Withdrawn += b.Withdrawn
	o.Failed += b.Failed
}

type ruleRow struct {
	RuleRow
	AgencySlug string `bun:"agency_slug"`
}

type whyRow struct {
	OwnerID string `bun:"owner_id"`
	Lang    string `bun:"lang"`
	Value   string `bun:"value"`
}

// rules are the published, unexpired rules, compiled; a rule that no longer compiles (the fact
// model changed under it) is logged and left out.
func (e *Engine) rules(ctx context.Context, db bun.IDB, now time.Time) ([]*compiledRule, error) {
	var rows []ruleRow
	if err := db.NewSelect().TableExpr("rules AS r").ColumnExpr("r.*, a.slug AS agency_slug").
		Join("JOIN agencies AS a ON a.id = r.agency_id").
		Where("r.status = ? AND (r.expires_at IS NULL OR r.expires_at > ?)", RulePublished, now).
		OrderExpr("r.created_at, r.id").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("suggest: load rules: %w", err)
	}
	e.mu.Lock()
	var stale []string
	for _, r := range rows {
		if c := e.compiled[r.ID]; c == nil || c.version != r.Version || !c.updatedAt.Equal(r.UpdatedAt) {
			stale = append(stale, r.ID)
		}
	}
	e.mu.Unlock()
	whys := map[string]map[string]string{}
	if len(stale) > 0 {
		var texts []whyRow
		if err := db.NewSelect().Table("texts").Column("owner_id", "lang", "value").
			Where("owner_kind = 'rule' AND field = 'why' AND owner_id IN (?)", bun.In(stale)).Scan(ctx, &texts); err != nil {
			return nil, fmt.Errorf("suggest: load why-texts: %w", err)
		}
		for _, t := range texts {
			if whys[t.OwnerID] == nil {
				whys[t.OwnerID] = map[string]string{}
			}
			whys[t.OwnerID][t.Lang] = t.Value
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*compiledRule, 0, len(rows))
	for _, r := range rows {
		c := e.compiled[r.ID]
		if slices.Contains(stale, r.ID) {
			rule, err := e.env.Compile(Definition{ID: r.ID, AgencyID: r.AgencyID, Agency: r.AgencySlug, Category: r.Category,
				Area: r.Area, Subject: r.AppliesTo, Events: r.Events, Condition: r.Condition, Why: whys[r.ID],
				Prefill: r.Action.Prefill, ExpiresAt: r.ExpiresAt})
			if err != nil {
				e.log.Warn("suggest: a published rule does not compile; it is skipped", "rule", r.ID, "err", err)
				delete(e.compiled, r.ID)
				continue
			}
			c = &compiledRule{Rule: rule, version: r.Version, updatedAt: r.UpdatedAt, why: pickWhy(whys[r.ID])}
			e.compiled[r.ID] = c
		}
		out = append(out, c)
	}
	return out, nil
}

func pickWhy(by map[string]string) string {
	for _, lang := range []string{"nb", "en"} {
		if s, ok := by[lang]; ok {
			return s
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(by)) {
		return by[lang]
	}
	return ""
}

// Evaluate runs every rule for one person on one event (a change about them), in one
// transaction: suggestions made, withdrawn, audited and put on the changes feed together.
func (e *Engine) Evaluate(ctx context.Context, citizenID string, ev Event) (Outcome, error) {
	var out Outcome
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := store.UTC(e.now())
		var err error
		out, err = e.evaluate(ctx, tx, []string{citizenID}, now, "", func(*Facts) []Event { return []Event{ev} })
		return err
	})
	return out, err
}

// evaluate runs the rules for people ids and writes what they decide (decide, then flush).
func (e *Engine) evaluate(ctx context.Context, tx bun.IDB, ids []string, now time.Time, only string, eventsOf func(*Facts) []Event) (Outcome, error) {
	w, out, err := e.decide(ctx, tx, ids, now, only, eventsOf)
	if err != nil || w == nil {
		return out, err
	}
	if err := w.flush(ctx, tx, e.notify); err != nil {
		return out, err
	}
	if err := writeDue(ctx, tx, w.due, now); err != nil {
		return out, err
	}
	out.Made, out.Withdrawn = len(w.made), len(w.withdrawn)
	return out, nil
}

// decide runs the rules for people ids: for each person, every state rule once and every event
// rule on each of the events eventsOf gives, then re-checks the person's active event suggestions
// on the events that made them. only, when not empty, restricts it to that rule: the others'
// suggestions are left as they are. It reads and writes nothing but w (nil: no live rule).
func (e *Engine) decide(ctx context.Context, db bun.IDB, ids []string, now time.Time, only string, eventsOf func(*Facts) []Event) (*writes, Outcome, error) {
	var out Outcome
	all, err := e.rules(ctx, db, now)
	rules := all
	if only != "" {
		rules = slices.DeleteFunc(slices.Clone(all), func(r *compiledRule) bool { return r.ID != only })
	}
	if err != nil || len(rules) == 0 {
		return nil, out, err
	}
	people, existing, err := loadPeople(ctx, db, ids, now, true)
	if err != nil {
		return nil, out, err
	}
	w := &writes{now: now, due: make(map[string]int64, len(people.Facts))}
	byID := make(map[string]*compiledRule, len(rules))
	for _, r := range rules {
		byID[r.ID] = r
	}
	today := dayNumber(now)
	for _, f := range people.Facts {
		out.People++
		off := people.OffAgencies(f.Person.ID)
		vars := e.env.Activation(f)
		e.person(f, vars, rules, byID, off, eventsOf(f), existing[f.Person.ID], w, &out)
		w.due[f.Person.ID] = nextDue(f, vars, all, today)
	}
	for _, id := range people.off { // nothing to decide until they turn suggestions on (MarkDue)
		w.due[id] = weeklyDay(id, today)
	}
	return w, out, nil
}

// key names one suggestion.
type key struct{ rule, occurrence string }

// person decides one person's suggestions into w.
func (e *Engine) person(f *Facts, vars *Activation, rules []*compiledRule, byID map[string]*compiledRule, offAgencies []string, events []Event, rows []Row, w *writes, out *Outcome) {
	held := map[key]heldMatch{}
	evaluated := map[string]bool{} // state rules evaluated now: their active rows not held are withdrawn
	var current *Event             // the event vars holds (converted once, not once per rule)
	try := func(r *compiledRule, ev Event) {
		if current == nil || *current != ev {
			f.Event, current = ev, &ev
			e.env.SetEvent(vars, ev)
		}
		ms, err := r.Holds(f, vars)
		if err != nil {
			out.Failed++
			e.log.Warn("suggest: rule evaluation failed; skipped for this person", "rule", r.ID, "err", err)
			return
		}
		for _, m := range ms {
			occ := m.Occurrence
			if len(r.Events) > 0 && ev.Occasion != "" {
				occ += "@" + ev.Occasion
			}
			held[key{r.ID, occ}] = heldMatch{rule: r, match: m, event: ev}
		}
	}
	for _, r := range rules {
		if slices.Contains(offAgencies, r.Agency) {
			continue
		}
		if len(r.Events) == 0 {
			try(r, firstOr(events))
			evaluated[r.ID] = true
			continue
		}
		for _, ev := range events {
			if slices.Contains(r.Events, ev.Kind) {
				try(r, ev)
			}
		}
	}
	// An event suggestion still holds while its condition holds on the event that made it.
	for _, row := range rows {
		r := byID[row.RuleID]
		if row.State != StateActive || r == nil || len(r.Events) == 0 || len(row.Event) == 0 {
			continue
		}
		if _, ok := held[key{r.ID, row.Occurrence}]; ok {
			continue
		}
		var ev storedEvent
		if json.Unmarshal(row.Event, &ev) == nil && !slices.Contains(offAgencies, r.Agency) {
			try(r, ev.event())
		}
		if _, ok := held[key{r.ID, row.Occurrence}]; !ok {
			w.withdraw(row, r)
		}
	}
	seen := map[key]bool{}
	for _, row := range rows {
		k := key{row.RuleID, row.Occurrence}
		seen[k] = true
		h, holds := held[k]
		r := byID[row.RuleID]
		switch {
		case row.State == StateActive && !holds && r != nil && evaluated[r.ID]:
			w.withdraw(row, r)
		case row.State == StateActive && !holds && r == nil:
			// The rule was unpublished, deleted or expired: WithdrawRule withdrew its suggestions
			// then (the daily sweep, for an expired one); nothing to do here.
		case row.State == StateWithdrawn && holds:
			w.make(f.Person.ID, k, h, &row)
		case row.State == StateActive && holds && len(h.rule.Events) == 0 && !reflect.DeepEqual(row.Facts, h.match.Values):
			// A state rule's why-text tells the facts as they are now (an age); an event rule's
			// tells them as they were at the event.
			w.refresh(row, h)
		}
	}
	for k, h := range held {
		if !seen[k] {
			w.make(f.Person.ID, k, h, nil)
		}
	}
}

func firstOr(events []Event) Event {
	if len(events) == 0 {
		return Event{Kind: "sweep"}
	}
	return events[0]
}

type heldMatch struct {
	rule  *compiledRule
	match Match
	event Event
}

// storedEvent is Event as kept with an event suggestion (Event hides its ids from CEL's JSON names).
type storedEvent struct {
	Kind     string `json:"kind"`
	ObjectID string `json:"objectId"`
	Occasion string `json:"occasion,omitempty"`
	Agency   string `json:"agency,omitempty"`
	CaseKind string `json:"caseKind,omitempty"`
	Status   string `json:"status,omitempty"`
}

func storeEvent(ev Event) storedEvent {
	return storedEvent{Kind: ev.Kind, ObjectID: ev.ObjectID, Occasion: ev.Occasion, Agency: ev.Agency, CaseKind: ev.CaseKind, Status: ev.Status}
}

func (s storedEvent) event() Event {
	return Event{Kind: s.Kind, ObjectID: s.ObjectID, Occasion: s.Occasion, Agency: s.Agency, CaseKind: s.CaseKind, Status: s.Status}
}

// writes collects one evaluation's rows, so a chunk of people costs a few statements.
type writes struct {
	now       time.Time
	made      []Row // new (inserted) or active again (updated)
	isNew     []bool
	withdrawn []Row
	refreshed []Row
	audit     []audit.Entry
	due       map[string]int64 // each person's next due day (nextDue)
}

func (w *writes) make(citizenID string, k key, h heldMatch, prev *Row) {
	row := Row{ID: store.NewID(), RuleID: k.rule, CitizenID: citizenID, Occurrence: k.occurrence, State: StateActive,
		Facts: h.match.Values, CreatedAt: w.now, UpdatedAt: w.now}
	if prev != nil {
		row.ID, row.CreatedAt = prev.ID, prev.CreatedAt
	}
	if len(h.rule.Events) > 0 {
		row.Event, _ = json.Marshal(storeEvent(h.event))
	}
	w.made, w.isNew = append(w.made, row), append(w.isNew, prev == nil)
	w.audit = append(w.audit, auditEntry(row, h.rule, audit.ActionSuggestionMade, w.now))
}

func (w *writes) withdraw(row Row, r *compiledRule) {
	if slices.ContainsFunc(w.withdrawn, func(x Row) bool { return x.ID == row.ID }) {
		return
	}
	row.State, row.UpdatedAt = StateWithdrawn, w.now
	w.withdrawn = append(w.withdrawn, row)
	w.audit = append(w.audit, auditEntry(row, r, audit.ActionSuggestionWithdrawn, w.now))
}

func (w *writes) refresh(row Row, h heldMatch) {
	row.Facts, row.UpdatedAt = h.match.Values, w.now
	w.refreshed = append(w.refreshed, row)
}

// auditEntry is the log line "suggested because …": the portal's doing, on the rule's behalf.
func auditEntry(row Row, r *compiledRule, action string, now time.Time) audit.Entry {
	subject := row.CitizenID
	return audit.Entry{At: now, ActorKind: audit.ActorSystem, SubjectID: &subject, Action: action,
		ObjectKind: "suggestion", ObjectID: row.ID,
		Detail: map[string]any{"ruleId": r.ID, "agencyId": r.AgencyID, "why": Plain(Fill(r.why, row.Facts))}}
}

// people lists the people something is to be written for, each once.
func (w *writes) people() []string {
	var ids []string
	for _, group := range [][]Row{w.made, w.withdrawn, w.refreshed} {
		for _, r := range group {
			ids = append(ids, r.CitizenID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// flush writes what the evaluation decided: the suggestions, their audit rows, their changes-feed
// rows and, for new ones, the push events.
func (w *writes) flush(ctx context.Context, tx bun.IDB, notify bool) error {
	var inserts []Row
	for i, r := range w.made {
		if w.isNew[i] {
			inserts = append(inserts, r)
		}
	}
	if len(inserts) > 0 {
		// Another replica may have made the same suggestion a moment ago: the unique (rule,
		// person, occurrence) keeps one, and the ids that came back say which ones are ours.
		var ours []string
		if _, err := tx.NewInsert().Model(&inserts).On("CONFLICT (rule_id, citizen_id, occurrence) DO NOTHING").
			Returning("id").Exec(ctx, &ours); err != nil {
			return fmt.Errorf("suggest: make %d: %w", len(inserts), err)
		}
		if len(ours) < len(inserts) {
			w.dropNotOurs(ours)
		}
	}
	for _, group := range [][]Row{w.reactivated(), w.withdrawn, w.refreshed} {
		for _, r := range group {
			if _, err := tx.NewUpdate().Model(&r).Column("state", "facts", "event", "updated_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("suggest: update %s: %w", r.ID, err)
			}
		}
	}
	var feed []changes.Change
	var pushes []outbox.Message
	for i, r := range w.made {
		id := r.CitizenID
		feed = append(feed, changes.New(&id, "suggestion", r.ID, changes.OpUpsert, w.now))
		if notify && w.isNew[i] {
			m, err := outbox.NewMessage(outbox.TopicNotify, outbox.NotifyEvent{CitizenID: id, Kind: "suggestion", ObjectID: r.ID, Reason: "new"}, w.now, outbox.Options{})
			if err != nil {
				return err
			}
			pushes = append(pushes, m)
		}
	}
	for _, r := range w.withdrawn {
		id := r.CitizenID
		feed = append(feed, changes.New(&id, "suggestion", r.ID, changes.OpDelete, w.now))
	}
	if err := changes.RecordAll(ctx, tx, feed); err != nil {
		return err
	}
	if err := audit.RecordAll(ctx, tx, w.audit); err != nil {
		return err
	}
	_, err := outbox.EnqueueAll(ctx, tx, pushes)
	return err
}

func (w *writes) reactivated() []Row {
	var out []Row
	for i, r := range w.made {
		if !w.isNew[i] {
			out = append(out, r)
		}
	}
	return out
}

// dropNotOurs forgets the new suggestions another transaction made first (their audit too).
func (w *writes) dropNotOurs(ours []string) {
	keep := func(id string) bool { return slices.Contains(ours, id) }
	var made []Row
	var isNew []bool
	gone := map[string]bool{}
	for i, r := range w.made {
		if w.isNew[i] && !keep(r.ID) {
			gone[r.ID] = true
			continue
		}
		made, isNew = append(made, r), append(isNew, w.isNew[i])
	}
	w.made, w.isNew = made, isNew
	w.audit = slices.DeleteFunc(w.audit, func(a audit.Entry) bool { return gone[a.ObjectID] })
}
