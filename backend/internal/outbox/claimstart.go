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
	at       time.Time // zero: from the head
	id       int64
	headSeen time.Time // the last claim from the head
}

// position is a place in the claim's order (available_at, id).
type position struct {
	at time.Time
	id int64
}

// next is where the claim at now starts (the zero position: the head), and whether that is the head.
func (c *claimStart) next(now time.Time) (position, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || now.Sub(c.headSeen) >= headClaimEvery || now.Before(c.headSeen) {
		return position{}, true
	}
	return position{at: c.at, id: c.id}, false
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
		c.at, c.id = time.Time{}, 0
		return
	}
	first := msgs[0]
	if c.at.IsZero() || first.AvailableAt.After(c.at) || (first.AvailableAt.Equal(c.at) && first.ID > c.id) {
		c.at, c.id = first.AvailableAt, first.ID
	}
}
