package app

import (
	"fmt"
	"time"

	"minside/backend/internal/config"
	"minside/backend/internal/files"
	"minside/backend/internal/messages"
	"minside/backend/internal/reports"
	"minside/backend/internal/uploads"
)

// orphanSweepInterval is how often each replica looks for stored bytes no row names. Orphans are
// rare (a write cut off between storing its bytes and committing), and the sweep lists every
// stored key, which at city scale is millions: once a day.
const orphanSweepInterval = 24 * time.Hour

// buildMessages opens the files store the configuration names (a.Files, shared with the
// reports' photos) and the message service on it.
func (a *App) buildMessages(cfg config.Config) (*messages.Service, error) {
	store, err := openFiles(cfg)
	if err != nil {
		return nil, fmt.Errorf("app: files: %w", err)
	}
	a.Files = store
	// Download links are signed with a key derived from the pseudonym key: no new secret to manage.
	// Closing an account deletes rows in its transaction and the files through the outbox.
	a.Outbox.Register(files.TopicDelete, files.DeleteHandler(store))
	links := messages.NewLinks(cfg.PIDKey, cfg.BaseURL, messages.DefaultLinkTTL)
	return messages.New(a.DB, store, links, uploads.DefaultLimits(), a.Now), nil
}

// openFiles is S3 when an endpoint is configured, else the local disk.
func openFiles(cfg config.Config) (files.Store, error) {
	if cfg.S3Endpoint != "" {
		return files.NewS3(files.S3Options{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey})
	}
	return files.NewDisk(cfg.FilesDirOrDefault())
}

// buildReports is the reporting service on the same files store; its photo links are signed with
// a key derived from the attachment links' key.
func (a *App) buildReports(cfg config.Config) *reports.Service {
	return reports.New(reports.Deps{DB: a.DB, Files: a.Files, Links: a.Messages.Links(), BaseURL: cfg.BaseURL, Now: a.Now,
		AnonymousLimit: cfg.ReportAnonymousLimit, AnonymousWindow: time.Hour})
}
