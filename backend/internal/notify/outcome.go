package notify

import "minside/backend/internal/outbox"

// The handlers answer the outbox worker with its own Result; these short names keep them readable.
type handlerResult = outbox.Result

func done() handlerResult { return outbox.Done() }

var (
	retry = outbox.Retry
	dead  = outbox.Dead
)
