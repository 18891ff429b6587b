package suggest

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/tiles"
)

// The daily sweep evaluates a person only when they are due: on a day time alone may change what
// the rules decide for them, and on their weekly day. A change to their facts through the agency
// API is evaluated at once by its own event; the weekly day catches what reached the database
// another way (an operator's fix, a register import) and anything time can change that neither
// the rules' flips nor the facts' dates name. A person the portal has not evaluated yet is due.

// resweepEvery is the longest a person goes without being evaluated.
const resweepEvery = 7

// epoch is day 0 of day numbers.
var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// dayNumber is t's UTC date as days since 1970-01-01.
func dayNumber(t time.Time) int64 { return DaysBetween(epoch, t) }

// nextDue is the first day after today on which time alone may change what rules decide for the
// person in f (vars are f's facts as CEL values): a flip of a rule, a birthday in the household,
// a relation starting or ending, a key's expiry window, a booking's end; at the latest their
// weekly day. A rule that reads the clock in a way timing cannot follow makes it tomorrow.
func nextDue(f *Facts, vars *Activation, rules []*compiledRule, today int64) int64 {
	next := weeklyDay(f.Person.ID, today)
	consider := func(day int64) {
		for d := day; d <= day+1; d++ { // a strict comparison, or one at a time of day, shows the day after
			if d > today && d < next {
				next = d
			}
		}
	}
	for _, t := range f.anchors {
		consider(dayNumber(t))
	}
	consider(dayNumber(Birthday(f.Person.BirthDate, int(f.Person.Age)+1)))
	for _, c := range f.Children {
		consider(dayNumber(Birthday(c.BirthDate, int(c.Age)+1)))
	}
	for _, k := range f.Keys { // the window of key.expiring (dayEvents)
		consider(dayNumber(k.ValidUntil.Add(-keyExpiringWithin)))
		consider(dayNumber(k.ValidUntil))
	}
	for _, b := range f.Bookings { // booking.ended
		consider(dayNumber(b.EndsAt))
	}
	flipped := map[*Program][]int64{} // each shared program evaluated once
	for _, r := range rules {
		if r.timing.daily {
			return today + 1
		}
		for _, fl := range r.timing.flips {
			days, ok := flipped[fl.prg]
			if !ok {
				v, err := fl.prg.Eval(vars)
				if err != nil {
					return today + 1 // cannot say when it flips: look again tomorrow
				}
				days = flipDays(v, nil)
				flipped[fl.prg] = days
			}
			for _, d := range days {
				consider(d + fl.offset)
			}
		}
	}
	return next
}

// weeklyDay is the first day after today on the person's weekly turn: the turns spread the city
// over the week.
func weeklyDay(citizenID string, today int64) int64 {
	h := fnv.New32a()
	h.Write([]byte(citizenID))
	phase := int64(h.Sum32() % resweepEvery)
	d := today + 1
	return d + (resweepEvery-(d+phase)%resweepEvery)%resweepEvery
}

// addAnchors records, for a relation row, the days it may start or stop granting access on.
func addAnchors(f *Facts, r relationRow, now time.Time) {
	f.anchors = append(f.anchors, r.ValidFrom, Birthday(r.SubjectBirth, tiles.AgeAt(midnight(r.SubjectBirth), now)+1))
	if r.ValidUntil != nil {
		f.anchors = append(f.anchors, *r.ValidUntil)
	}
}

type dueRow struct {
	bun.BaseModel `bun:"table:suggest_due,alias:suggest_due"`
	CitizenID     string    `bun:"citizen_id,pk"`
	DueDay        int64     `bun:"due_day"`
	DecidedAt     time.Time `bun:"decided_at"`
}

// writeDue stores each person's next due day, computed from facts read at decidedAt; a row
// computed from a later read (a change event evaluated meanwhile) is kept, and one that says the
// same is not written again.
func writeDue(ctx context.Context, db bun.IDB, due map[string]int64, decidedAt time.Time) error {
	if len(due) == 0 {
		return nil
	}
	rows := make([]dueRow, 0, len(due))
	for id, day := range due {
		rows = append(rows, dueRow{CitizenID: id, DueDay: day, DecidedAt: decidedAt})
	}
	_, err := db.NewInsert().Model(&rows).On("CONFLICT (citizen_id) DO UPDATE").
		Set("due_day = EXCLUDED.due_day, decided_at = EXCLUDED.decided_at").
		Where("suggest_due.decided_at <= EXCLUDED.decided_at AND suggest_due.due_day <> EXCLUDED.due_day").Exec(ctx)
	if err != nil {
		return fmt.Errorf("suggest: store when people are due: %w", err)
	}
	return nil
}

// MarkDue makes the person due at the next sweep: their suggestion preferences changed, which no
// change event tells the engine (turned back on, their suggestions are decided again the next day).
func MarkDue(ctx context.Context, db bun.IDB, citizenID string) error {
	if _, err := db.NewDelete().Model((*dueRow)(nil)).Where("citizen_id = ?", citizenID).Exec(ctx); err != nil {
		return fmt.Errorf("suggest: make %s due: %w", citizenID, err)
	}
	return nil
}
