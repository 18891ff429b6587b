package outbox

import (
	"context"
	"time"
)

// Handler performs the side effect of one message. It may run more than once for the same message
// (a worker can crash after the effect and before recording it), so it must be idempotent or
// carry a stable id the receiver dedupes on. It must not keep ctx after returning. m.Attempts
// counts this try too (1 on the first), so a handler can give up early on answers that will not
// change. ctx ends at the worker's HandlerTimeout, not when the worker is asked to stop.
type Handler func(ctx context.Context, m Message) Result

type outcome int

const (
	outcomeDone outcome = iota
	outcomeRetry
	outcomeDead
	outcomeUnstarted
)

// Result tells the worker what became of a message. Reasons end up in outbox.last_error and in
// logs: they must never hold personal data (no names, no national ids, no message bodies).
type Result struct {
	outcome outcome
	after   time.Duration
	reason  string
}

// Done: the side effect happened (or is no longer needed); the message is finished.
func Done() Result { return Result{outcome: outcomeDone} }

// Retry: try again later. after > 0 asks for that delay (e.g. a Retry-After header, capped by the
// worker's maximum backoff); zero uses the worker's exponential backoff with jitter.
func Retry(after time.Duration, reason string) Result {
	return Result{outcome: outcomeRetry, after: after, reason: reason}
}

// Dead: retrying cannot help (a refused request, a missing configuration); the message is kept
// with status dead for the operator.
func Dead(reason string) Result { return Result{outcome: outcomeDead, reason: reason} }

// NotStarted: a batch handler did not start this message because the worker is stopping (its ctx
// ended before the message's turn); the worker hands it back to the other workers at once.
func NotStarted() Result { return Result{outcome: outcomeUnstarted} }

// String names the outcome, as used in the metric label "result".
func (r Result) String() string {
	switch r.outcome {
	case outcomeDone:
		return "done"
	case outcomeRetry:
		return "retry"
	default:
		return "dead"
	}
}

// Reason is the explanation given with Retry or Dead.
func (r Result) Reason() string { return r.reason }

// After is the delay asked for by Retry (zero: the worker's backoff).
func (r Result) After() time.Duration { return r.after }

// BatchHandler performs the side effects of a topic's share of one claimed batch at once, so it
// can read and record its own bookkeeping in a few statements per batch instead of a few per
// message. It returns one Result per message, in the order given, and may work on up to parallel
// messages at a time (the worker's Concurrency). The same rules as for Handler apply to each
// message. ctx ends when the worker is asked to stop or the batch's share of the lease runs out:
// then the handler finishes what it has started (with context.WithoutCancel) and answers
// NotStarted for the rest.
type BatchHandler func(ctx context.Context, msgs []Message, parallel int) []Result

// Combine is the result of a message whose side effect has several independent parts, from the
// parts' own results, so that the message is finished only when every part is. A part to retry
// retries the message, after the longest delay any part asked for (the parts that succeeded must
// then be skipped on the next run); a message of which some parts were not started while others
// were is retried at once; one a part of which is dead is dead, for the operator; when no part
// was started, neither was the message.
func Combine(parts []Result) Result {
	started, unstarted := 0, 0
	var retry, dead *Result
	for i := range parts {
		p := &parts[i]
		switch p.outcome {
		case outcomeUnstarted:
			unstarted++
			continue
		case outcomeRetry:
			if retry == nil || p.after > retry.after {
				retry = p
			}
		case outcomeDead:
			if dead == nil {
				dead = p
			}
		}
		started++
	}
	switch {
	case started == 0 && unstarted > 0:
		return NotStarted()
	case retry != nil:
		return *retry
	case unstarted > 0:
		return Retry(0, "stopped before every part of the message was started")
	case dead != nil:
		return *dead
	}
	return Done()
}
