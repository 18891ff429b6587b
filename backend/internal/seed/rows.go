package seed

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/errands"
	"minside/backend/internal/ideas"
	"minside/backend/internal/ingest"
	"minside/backend/internal/keys"
	"minside/backend/internal/messages"
	"minside/backend/internal/notify"
	"minside/backend/internal/reports"
	"minside/backend/internal/represent"
	"minside/backend/internal/suggest"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// rows collects everything one seeding step writes, so it can go to the database as a few
// multi-row INSERTs in one transaction instead of one round trip per row.
type rows struct {
	citizens      []citizens.Citizen
	preferences   []citizens.Preferences
	roles         []citizens.Role
	relations     []represent.Relation
	errands       []errands.Errand
	participants  []errands.Participant
	steps         []errands.Step
	cases         []cases.Case
	events        []cases.Event
	documents     []cases.Document
	bookings      []bookings.Booking
	keys          []keys.Key
	windows       []keys.Window
	keyDoors      []keys.KeyAccessPoint
	notifications []notify.Notification
	tiles         []tiles.Tile
	rules         []suggest.RuleRow
	tasks         []tasks.Task
	messages      []messages.Message
	ideas         []ideas.Idea
	ideaSupports  []ideas.Support
	// reportServices and reports are the reporting service's demo: Bymiljøetaten's services and
	// a few reports near Oslo sentrum.
	reportServices []reports.ReportService
	reports        []reports.Report
	texts          []texts.Text
	changes        []changes.Change
	// records are what each agency would have PUT for its objects above, so the agency API and
	// console treat seeded objects as the agency's own (read, update, delete, list).
	records []ingest.Imported
}

// text adds one field of one record in the given languages (lang → value).
func (r *rows) text(ownerKind, ownerID, field string, values texts.Values) {
	for _, lang := range langOrder {
		if v, ok := values[lang]; ok {
			r.texts = append(r.texts, texts.Text{OwnerKind: ownerKind, OwnerID: ownerID, Field: field, Lang: lang, Value: v})
		}
	}
}

// langOrder makes the order of text rows (and so the seeded database) deterministic.
var langOrder = []string{"nb", "nn", "en", "se", "uk", "pl", "ar", "so", "ur"}

// count is the number of rows collected.
func (r *rows) count() int {
	return len(r.citizens) + len(r.preferences) + len(r.roles) + len(r.relations) + len(r.cases) + len(r.errands) + len(r.participants) + len(r.steps) +
		len(r.events) + len(r.documents) + len(r.bookings) + len(r.keys) + len(r.windows) +
		len(r.keyDoors) + len(r.notifications) + len(r.tiles) + len(r.rules) + len(r.tasks) + len(r.messages) + len(r.ideas) + len(r.ideaSupports) + len(r.texts) + len(r.changes) + len(r.records) +
		len(r.reportServices) + len(r.reports)
}

// insert writes the rows in foreign-key order, at most chunk rows per statement.
func (r *rows) insert(ctx context.Context, db bun.IDB, chunk int) error {
	steps := []struct {
		name string
		fn   func() error
	}{
		{"citizens", func() error { return insertChunks(ctx, db, r.citizens, chunk) }},
		{"preferences", func() error { return insertChunks(ctx, db, r.preferences, chunk) }},
		{"roles", func() error { return insertChunks(ctx, db, r.roles, chunk) }},
		{"relations", func() error { return insertChunks(ctx, db, r.relations, chunk) }},
		{"errands", func() error { return insertChunks(ctx, db, r.errands, chunk) }},
		{"errand agencies", func() error { return insertChunks(ctx, db, r.participants, chunk) }},
		{"cases", func() error { return insertChunks(ctx, db, r.cases, chunk) }},
		{"case steps", func() error { return insertChunks(ctx, db, r.steps, chunk) }},
		{"case events", func() error { return insertChunks(ctx, db, r.events, chunk) }},
		{"case documents", func() error { return insertChunks(ctx, db, r.documents, chunk) }},
		{"bookings", func() error { return insertChunks(ctx, db, r.bookings, chunk) }},
		{"keys", func() error { return insertChunks(ctx, db, r.keys, chunk) }},
		{"key windows", func() error { return insertChunks(ctx, db, r.windows, chunk) }},
		{"key doors", func() error { return insertChunks(ctx, db, r.keyDoors, chunk) }},
		{"notifications", func() error { return insertChunks(ctx, db, r.notifications, chunk) }},
		{"tiles", func() error { return insertChunks(ctx, db, r.tiles, chunk) }},
		{"rules", func() error { return insertChunks(ctx, db, r.rules, chunk) }},
		{"tasks", func() error { return insertChunks(ctx, db, r.tasks, chunk) }},
		{"messages", func() error { return insertChunks(ctx, db, r.messages, chunk) }},
		{"ideas", func() error { return insertChunks(ctx, db, r.ideas, chunk) }},
		{"idea supports", func() error { return insertChunks(ctx, db, r.ideaSupports, chunk) }},
		{"report services", func() error { return insertChunks(ctx, db, r.reportServices, chunk) }},
		{"reports", func() error { return insertChunks(ctx, db, r.reports, chunk) }},
		{"texts", func() error { return insertChunks(ctx, db, r.texts, chunk) }},
		{"changes", func() error { return insertChunks(ctx, db, r.changes, chunk) }},
		{"agency records", func() error { return ingest.Register(ctx, db, r.records) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("seed: insert %s: %w", s.name, err)
		}
	}
	return nil
}

// insertChunks writes a slice of models as multi-row INSERTs. RETURNING is switched off: the
// seed assigns every id itself (the changes sequence is the only generated key and nobody reads it).
func insertChunks[T any](ctx context.Context, db bun.IDB, all []T, chunk int) error {
	if chunk <= 0 {
		chunk = defaultChunk
	}
	for start := 0; start < len(all); start += chunk {
		part := all[start:min(start+chunk, len(all))]
		if _, err := db.NewInsert().Model(&part).Returning("NULL").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// defaultChunk rows per INSERT statement: large enough to amortise a round trip, small enough to
// keep one statement's SQL text around a megabyte.
const defaultChunk = 2000
