package app

import (
	"fmt"

	"minside/backend/internal/config"
	"minside/backend/internal/ideas"
	"minside/backend/internal/uploads"
)

// buildIdeas is the idea channel; its photos go to the same files store as message attachments.
func (a *App) buildIdeas(cfg config.Config) (*ideas.Service, error) {
	store, err := openFiles(cfg)
	if err != nil {
		return nil, fmt.Errorf("app: files: %w", err)
	}
	return ideas.New(a.DB, store, uploads.DefaultLimits(), a.Bundle, a.Now), nil
}
