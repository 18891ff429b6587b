package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/ingest"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// noticeBatch is how many recipients one transaction writes: large sends commit in steps instead
// of holding one long write transaction (SQLite has one writer).
const noticeBatch = 500

// NoticeRequest is a notice to everyone the targeting selects. DryRun only counts; a real send
// must carry the count the dry run showed (ExpectedReach), so nobody sends to an audience that
// changed under them.
type NoticeRequest struct {
	ingest.Notice
	DryRun        bool `json:"dryRun"`
	ExpectedReach *int `json:"expectedReach,omitempty"`
}

// NoticeResult answers a dry run (Reach) or a send (NoticeID, Sent).
type NoticeResult struct {
	Reach    int    `json:"reach"`
	NoticeID string `json:"noticeId,omitempty"`
	Sent     int    `json:"sent"`
	DryRun   bool   `json:"-"`
}

// Notice counts, or sends, a notice from the agency. A send writes one notification per recipient
// (dedupe key notice:<id>, so a recipient never gets the same notice twice), a changes row and a
// TopicNotify outbox event each, in batches; one audit entry records the send and its count.
func (s *Service) Notice(ctx context.Context, ed Editor, slug string, body []byte) (NoticeResult, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return NoticeResult{}, err
	}
	if _, err := strictjson.Decode(body); err != nil {
		return NoticeResult{}, strictjson.Refusal(err, "")
	}
	var req NoticeRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return NoticeResult{}, apperr.BadRequest("error.detail.malformed_json")
	}
	if req.Targeting != nil && len(req.Targeting.Districts) > 0 {
		if req.Targeting.Districts, err = canonicalDistricts(req.Targeting.Districts, "/targeting/districts"); err != nil {
			return NoticeResult{}, err
		}
	}
	if err := ingest.CheckNotice(&req.Notice); err != nil {
		return NoticeResult{}, err
	}
	now := store.UTC(s.now())
	recipients, err := tiles.Reached(ctx, s.db, req.Targeting.Model(), now)
	if err != nil {
		return NoticeResult{}, err
	}
	if req.DryRun {
		return NoticeResult{Reach: len(recipients), DryRun: true}, nil
	}
	if req.ExpectedReach == nil {
		return NoticeResult{}, apperr.Invalid(apperr.Field("/expectedReach", "field.required", nil))
	}
	if *req.ExpectedReach != len(recipients) {
		return NoticeResult{}, apperr.Conflict("error.detail.audience_changed").
			WithDetail("error.detail.audience_changed", map[string]any{"Reach": len(recipients)}).
			WithExtra("reach", len(recipients))
	}
	noticeID := store.NewID()
	dedupe := "notice:" + noticeID
	// The audit entry commits with the first batch, so a send that stops half way is still on record.
	entry := audit.Entry{At: now, ActorKind: audit.ActorCitizen, ActorID: &ed.CitizenID,
		Action: audit.ActionNoticeSend, ObjectKind: "notice", ObjectID: noticeID, RequestID: ed.RequestID,
		Detail: map[string]any{"agencyId": a.ID, "role": RoleEditor, "sent": len(recipients), "category": req.Category}}
	for start := 0; start == 0 || start < len(recipients); start += noticeBatch {
		batch := recipients[start:min(start+noticeBatch, len(recipients))]
		err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if start == 0 {
				if err := audit.Record(ctx, tx, entry); err != nil {
					return err
				}
			}
			return s.sendBatch(ctx, tx, a.ID, req.Notice, dedupe, batch, now)
		})
		if err != nil {
			return NoticeResult{}, fmt.Errorf("console: notice: after %d of %d: %w", start, len(recipients), err)
		}
	}
	return NoticeResult{Reach: len(recipients), NoticeID: noticeID, Sent: len(recipients)}, nil
}

func (s *Service) sendBatch(ctx context.Context, tx bun.Tx, agencyID string, n ingest.Notice, dedupe string, batch []string, now time.Time) error {
	if len(batch) == 0 {
		return nil
	}
	rows := make([]notify.Notification, len(batch))
	for i, citizenID := range batch {
		aid, key := agencyID, dedupe
		rows[i] = notify.Notification{ID: store.NewID(), AgencyID: &aid, CitizenID: citizenID, Category: n.Category,
			Urgency: n.Urgency, Link: n.Link, DedupeKey: &key, CreatedAt: now}
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	for i := range rows {
		r := &rows[i]
		if err := texts.Save(ctx, tx, "notification", r.ID, texts.Fields{"title": n.Title, "body": n.Body}); err != nil {
			return err
		}
		if err := changes.Record(ctx, tx, &r.CitizenID, "notification", r.ID, "upsert", now); err != nil {
			return err
		}
		ev := outbox.NotifyEvent{CitizenID: r.CitizenID, Kind: "notification", ObjectID: r.ID, Reason: "new", Urgent: n.Urgency == "high"}
		if _, err := outbox.Enqueue(ctx, tx, outbox.TopicNotify, ev, now, outbox.Options{}); err != nil {
			return err
		}
	}
	return nil
}
