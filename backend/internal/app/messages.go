package app

import (
	"fmt"

	"minside/backend/internal/config"
	"minside/backend/internal/files"
	"minside/backend/internal/messages"
	"minside/backend/internal/uploads"
)

// buildMessages opens the files store the configuration names and the message service on it.
func (a *App) buildMessages(cfg config.Config) (*messages.Service, error) {
	store, err := openFiles(cfg)
	if err != nil {
		return nil, fmt.Errorf("app: files: %w", err)
	}
	// Download links are signed with a key derived from the pseudonym key: no new secret to manage.
	// Closing an account deletes rows in its transaction and the files through the outbox.
	a.Outbox.Register(files.TopicDelete, files.DeleteHandler(store))
	links := messages.NewLinks(cfg.PIDKey, cfg.BaseURL, messages.DefaultLinkTTL)
	return messages.New(a.DB.DB, store, links, uploads.DefaultLimits(), a.Now), nil
}

// openFiles is S3 when an endpoint is configured, else the local disk.
func openFiles(cfg config.Config) (files.Store, error) {
	if cfg.S3Endpoint != "" {
		return files.NewS3(files.S3Options{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey})
	}
	return files.NewDisk(cfg.FilesDirOrDefault())
}
