package outbox

import (
	"sync"
	"time"
)

// headClaimEvery is how often a worker claims from the head of the pending messages during a
// burst, for messages that ended up behind where its claims start (migration 1310).
const headClaimEvery = 5 * time.Second

// claimStart remembers where a worker's claims on PostgreSQL start: the first message of its last
// full claim. Everything before it was then finished, or in some worker's hands, and a finished
// message leaves a dead entry in the pending index until the next vacuum, which a claim from the
// head walks over. A message can still come back behind it: handed back unstarted by a stopping
// worker, left by a crashed one, or committed after later ones with an earlier available_at. So
// the worker claims from the head every headClaimEvery, and a claim that comes back short looks
// from the head for the rest of its batch.
type claimStart struct {
	mu       sync.Mutex
	start    position  // zero: from the head
	headSeen time.Time // the last claim from the head
}

// position is a place in the claim's order (available_at, id); the zero position is the head.
type position struct {
	at time.Time
	id int64
}

func (p position) isHead() bool { return p.at.IsZero() }

// after reports whether p comes after q in the claim's order.
func (p position) after(q position) bool {
	return p.at.After(q.at) || (p.at.Equal(q.at) && p.id > q.id)
}

// next is where the claim at now starts, and whether that is the head.
func (c *claimStart) next(now time.Time) (position, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.start.isHead() || now.Sub(c.headSeen) >= headClaimEvery || now.Before(c.headSeen) {
		return position{}, true
	}
	return c.start, false
}

// took records a claim's messages (oldest first): a full batch moves the start to its first
// message, unless another of the worker's claims already moved it further; a short one means the
// pending messages may all lie behind, so the next claim starts at the head.
func (c *claimStart) took(msgs []Message, batch int, fromHead bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fromHead {
		c.headSeen = now
	}
	if len(msgs) < batch {
		c.start = position{}
		return
	}
	if first := (position{at: msgs[0].AvailableAt, id: msgs[0].ID}); first.after(c.start) {
		c.start = first
	}
}
