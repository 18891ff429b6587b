package notify

import "time"

// handlerResult is what a handler tells the outbox worker. It stands in for outbox.Result until
// the worker lands on main; the handlers only use done, retry and dead.
type handlerResult struct {
	Outcome string // "done", "retry", "dead"
	After   time.Duration
	Reason  string
}

func done() handlerResult { return handlerResult{Outcome: "done"} }

func retry(after time.Duration, reason string) handlerResult {
	return handlerResult{Outcome: "retry", After: after, Reason: reason}
}

func dead(reason string) handlerResult { return handlerResult{Outcome: "dead", Reason: reason} }
