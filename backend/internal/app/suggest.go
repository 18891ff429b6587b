package app

import (
	"fmt"
	"time"

	"minside/backend/internal/suggest"
)

// sweepPlanInterval is how often each replica offers to plan the day's sweep; the outbox's dedupe
// key lets one plan through per day.
const sweepPlanInterval = time.Hour

// buildSuggest makes the suggestion engine and gives the outbox its topics: evaluations of one
// person on a change, and the daily sweep with its chunks.
func (a *App) buildSuggest() error {
	env, err := suggest.NewEnv()
	if err != nil {
		return fmt.Errorf("app: suggestions: %w", err)
	}
	a.SuggestEnv = env
	// notify: a new suggestion is a push in the "suggestions" category to whoever switched it on.
	a.Suggest = suggest.NewEngine(a.Work, env, a.Now, a.Log, true)
	a.Outbox.RegisterBatch(suggest.TopicEvaluate, a.Suggest.HandleBatch)
	a.Outbox.Register(suggest.TopicSweep, a.Suggest.HandleSweep)
	a.Outbox.Register(suggest.TopicSweepChunk, a.Suggest.HandleChunk)
	return nil
}
