package suggest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
)

// The daily sweep evaluates, once a day, the people who are due (due.go): those for whom time alone
// may change what the rules decide today (ages, keys about to expire, bookings just ended, a
// rule's date comparison flipping) and those on their weekly turn. It runs through the outbox
// like everything else: the day's sweep is one message (its dedupe key makes it once a day
// whichever replicas plan it), which splits the people due into chunks, each a message any
// replica's worker may take. A new rule version's sweep evaluates everyone, for that rule.
const (
	TopicSweep      = "suggest.sweep"
	TopicSweepChunk = "suggest.sweep.chunk"

	// SweepChunk is how many people one chunk message evaluates, in one transaction.
	SweepChunk = 500

	// keyExpiringWithin is how long before a key's end it counts as expiring.
	keyExpiringWithin = 14 * 24 * time.Hour
)

type sweepMessage struct {
	Day     string `json:"day"`            // YYYY-MM-DD
	Rule    string `json:"rule,omitempty"` // only this rule (SweepRule); empty: every rule
	Version int64  `json:"version,omitempty"`
}

type chunkMessage struct {
	Day  string `json:"day"`
	From string `json:"from"` // citizen ids from..to, inclusive
	To   string `json:"to"`
	Rule string `json:"rule,omitempty"`
}

// PlanSweep enqueues the sweep of the day of now (UTC), once however often it is called, and only
// when a rule is published (an expired one still has suggestions to withdraw): a portal without
// rules neither walks the city nor queues work for it.
func (e *Engine) PlanSweep(ctx context.Context, now time.Time) (bool, error) {
	published, err := e.db.NewSelect().Table("rules").Where("status = ?", RulePublished).Exists(ctx)
	if err != nil || !published {
		return false, err
	}
	day := now.UTC().Format(time.DateOnly)
	return outbox.Enqueue(ctx, e.db, TopicSweep, sweepMessage{Day: day}, now, outbox.Options{DedupeKey: "suggest:sweep:" + day})
}

// RunSweeps plans the day's sweep at start and then every interval, until ctx ends.
func (e *Engine) RunSweeps(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := e.PlanSweep(ctx, e.now()); err != nil && ctx.Err() == nil {
			e.log.Warn("suggest: plan the daily sweep", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// HandleSweep splits the day's sweep into chunk messages, in one transaction.
func (e *Engine) HandleSweep(ctx context.Context, m outbox.Message) outbox.Result {
	var sm sweepMessage
	if err := json.Unmarshal(m.Payload, &sm); err != nil {
		return outbox.Dead("suggest: undecodable sweep")
	}
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := store.UTC(e.now())
		dedupe := "suggest:sweep:" + sm.Day + ":"
		if sm.Rule != "" {
			dedupe = fmt.Sprintf("suggest:rule:%s:%d:", sm.Rule, sm.Version)
		} else if err := withdrawExpired(ctx, tx, now); err != nil {
			return err
		}
		if rules, err := e.rules(ctx, tx, now); err != nil || len(rules) == 0 {
			return err // no live rule: nothing to sweep for
		}
		ids, err := sweepIDs(ctx, tx, "", "", sm.Rule, now)
		if err != nil {
			return err
		}
		ranges := chunks(ids, SweepChunk)
		msgs := make([]outbox.Message, 0, len(ranges))
		for _, r := range ranges {
			msg, err := outbox.NewMessage(TopicSweepChunk, chunkMessage{Day: sm.Day, From: r[0], To: r[1], Rule: sm.Rule}, now,
				outbox.Options{DedupeKey: dedupe + r[0]})
			if err != nil {
				return err
			}
			msgs = append(msgs, msg)
		}
		_, err = outbox.EnqueueAll(ctx, tx, msgs)
		return err
	})
	if err != nil {
		return outbox.Retry(0, err.Error())
	}
	return outbox.Done()
}

// sweepIDs are the people from..to (inclusive; "" is open) a sweep evaluates, in id order: for
// one rule (a new version), everyone; for the day, who is due.
func sweepIDs(ctx context.Context, db bun.IDB, from, to, ruleID string, now time.Time) ([]string, error) {
	q := db.NewSelect().TableExpr("citizens AS c").Column("c.id").OrderExpr("c.id")
	if ruleID == "" {
		// A lookup per citizen, not a join: for a chunk's range PostgreSQL misjudged the citizens
		// as one row and scanned all of suggest_due for each of the 500 (29 s a chunk at 700,000;
		// 2.7 ms this way, and 1.5 s for the whole city).
		q = q.Where("COALESCE((SELECT d.due_day FROM suggest_due AS d WHERE d.citizen_id = c.id), 0) <= ?", dayNumber(now))
	}
	if from != "" {
		q = q.Where("c.id >= ? AND c.id <= ?", from, to)
	}
	var ids []string
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("suggest: sweep: people %s..%s: %w", from, to, err)
	}
	return ids, nil
}

// chunks splits ids into ranges of at most size.
func chunks(ids []string, size int) [][2]string {
	var out [][2]string
	for i := 0; i < len(ids); i += size {
		out = append(out, [2]string{ids[i], ids[min(i+size, len(ids))-1]})
	}
	return out
}

// HandleChunk evaluates one chunk of the sweep.
func (e *Engine) HandleChunk(ctx context.Context, m outbox.Message) outbox.Result {
	var cm chunkMessage
	if err := json.Unmarshal(m.Payload, &cm); err != nil {
		return outbox.Dead("suggest: undecodable sweep chunk")
	}
	if _, err := e.sweepRange(ctx, cm.From, cm.To, cm.Rule); err != nil {
		return outbox.Retry(0, err.Error())
	}
	return outbox.Done()
}

// SweepRange evaluates the people due with ids from..to (inclusive) on the day's events.
func (e *Engine) SweepRange(ctx context.Context, from, to string) (Outcome, error) {
	return e.sweepRange(ctx, from, to, "")
}

// sweepRange is SweepRange for one rule only (ruleID, everyone), or every rule ("", who is due).
// It decides twice: first for everyone in the range without a transaction, so chunks read and
// evaluate in parallel (on SQLite too, beside the one writer) and a day that changes nothing
// writes only the people's next due days; then, in one write transaction, again for only the
// people that first pass found something to write for, on what the transaction reads, so a change
// committed in between is never overwritten by a decision made on the facts before it. (A change
// the first pass missed queues its own evaluation.)
func (e *Engine) sweepRange(ctx context.Context, from, to, ruleID string) (Outcome, error) {
	now := store.UTC(e.now())
	ids, err := sweepIDs(ctx, e.db, from, to, ruleID, now)
	if err != nil || len(ids) == 0 {
		return Outcome{}, err
	}
	w, out, err := e.decide(ctx, e.db, ids, now, ruleID, dayEvents)
	if err != nil || w == nil {
		return out, err
	}
	changed := w.people()
	for _, id := range changed {
		delete(w.due, id) // written with what the write transaction decides
	}
	if e.db.Kind == store.SQLite {
		// One writer: sweep chunks queue here rather than on busy_timeout, which a big first
		// sweep's chunk could outlast.
		e.writeMu.Lock()
		defer e.writeMu.Unlock()
	}
	if err := writeDue(ctx, e.db, w.due, now); err != nil {
		return out, err
	}
	if len(changed) == 0 {
		return out, nil
	}
	err = e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		written, err := e.evaluate(ctx, tx, changed, now, ruleID, dayEvents)
		out.Made, out.Withdrawn = written.Made, written.Withdrawn
		return err
	})
	return out, err
}

// Sweep evaluates who is due now, parallel chunks at a time, without the outbox: the benchmark's
// and the operator's way to run the day's sweep at once.
func (e *Engine) Sweep(ctx context.Context, parallel int) (Outcome, error) {
	ids, err := sweepIDs(ctx, e.db, "", "", "", store.UTC(e.now()))
	if err != nil {
		return Outcome{}, err
	}
	ranges := chunks(ids, SweepChunk)
	work := make(chan [2]string)
	results := make(chan struct {
		o   Outcome
		err error
	})
	for range max(parallel, 1) {
		go func() {
			for r := range work {
				o, err := e.SweepRange(ctx, r[0], r[1])
				results <- struct {
					o   Outcome
					err error
				}{o, err}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, r := range ranges {
			work <- r
		}
	}()
	var total Outcome
	var first error
	for range ranges {
		r := <-results
		total.add(r.o)
		if r.err != nil && first == nil {
			first = r.err
		}
	}
	return total, first
}

// dayEvents are the events time alone brings for one person today: the sweep itself (for state
// rules), a child's birthday, a key that will expire within two weeks, a booking that ended in the
// last day.
func dayEvents(f *Facts) []Event {
	evs := []Event{{Kind: "sweep"}}
	_, m, d := f.Now.Date()
	for _, c := range f.Children {
		if _, cm, cd := c.BirthDate.Date(); cm == m && cd == d && c.Age > 0 {
			evs = append(evs, Event{Kind: "child.birthday", ObjectID: c.ID, Occasion: fmt.Sprint(c.Age)})
		}
	}
	for _, k := range f.Keys {
		if k.Status == "active" && k.ValidUntil.After(f.Now) && k.ValidUntil.Sub(f.Now) <= keyExpiringWithin {
			evs = append(evs, Event{Kind: "key.expiring", ObjectID: k.ID, Agency: k.Agency, Status: k.Status,
				Occasion: k.ValidUntil.Format(time.DateOnly)})
		}
	}
	for _, b := range f.Bookings {
		if b.Status == "confirmed" && !b.EndsAt.After(f.Now) && f.Now.Sub(b.EndsAt) < 24*time.Hour {
			evs = append(evs, Event{Kind: "booking.ended", ObjectID: b.ID, Agency: b.Agency, Status: b.Status})
		}
	}
	return evs
}
