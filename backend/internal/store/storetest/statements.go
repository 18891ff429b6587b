package storetest

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// Statements counts the SQL statements a database runs, each a round trip on PostgreSQL: tests of
// batched paths assert on the count, never on time.
type Statements struct{ n atomic.Int64 }

// CountStatements starts counting every statement db runs from now on.
func CountStatements(db *store.DB) *Statements {
	s := &Statements{}
	db.AddQueryHook(s)
	return s
}

// Take returns the count since the last Take and starts again from zero.
func (s *Statements) Take() int { return int(s.n.Swap(0)) }

// BeforeQuery implements bun.QueryHook.
func (s *Statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	s.n.Add(1)
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (s *Statements) AfterQuery(context.Context, *bun.QueryEvent) {}
