package ideas

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/changes"
	"minside/backend/internal/i18n"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/paging"
	"minside/backend/internal/store"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/texts"
)

// AgencyQuery is one page of every idea, hidden ones too, for the moderator.
type AgencyQuery struct {
	Status string // "" for every status
	Limit  int
	Offset int
}

// AgencyList is a page of every idea, newest first, for an agency holding the ideas authority.
// The moderator sees what others see plus the hidden ones: never who wrote an idea.
func (s *Service) AgencyList(ctx context.Context, agencyID string, q AgencyQuery) ([]*Idea, bool, error) {
	if err := agency.RequireAuthority(ctx, s.db, agencyID, agency.AuthorityIdeas); err != nil {
		return nil, false, err
	}
	if q.Status != "" && !slices.Contains(Statuses, q.Status) {
		return nil, false, apperr.Invalid(apperr.Field("/status", "field.invalid_enum", map[string]any{"Allowed": strings.Join(Statuses, ", ")}))
	}
	if q.Limit <= 0 {
		q.Limit = paging.DefaultLimit
	}
	var out []*Idea
	sel := s.db.NewSelect().Model(&out)
	if q.Status != "" {
		sel = sel.Where("status = ?", q.Status)
	}
	if err := sel.Order("created_at DESC", "id DESC").Limit(int64(q.Limit + 1)).Offset(int64(q.Offset)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("ideas: agency list: %w", err)
	}
	more := len(out) > q.Limit
	if more {
		out = out[:q.Limit]
	}
	return out, more, s.fill(ctx, s.db, "", out)
}

// AgencyGet is one idea for the moderator.
func (s *Service) AgencyGet(ctx context.Context, agencyID, id string) (*Idea, error) {
	if err := agency.RequireAuthority(ctx, s.db, agencyID, agency.AuthorityIdeas); err != nil {
		return nil, err
	}
	idea, err := load(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	return idea, s.fill(ctx, s.db, "", []*Idea{idea})
}

// AgencyPhoto opens an idea's photo for the moderator.
func (s *Service) AgencyPhoto(ctx context.Context, agencyID, id string) (*Idea, func() (io.ReadCloser, error), error) {
	idea, err := s.AgencyGet(ctx, agencyID, id)
	if err != nil {
		return nil, nil, err
	}
	return s.photo(idea)
}

// SetStatus moves an idea to status with the municipality's reason (lang → text; required for
// every status after received). Setting what is already set changes nothing and tells no one;
// a new status or reason is told to the author.
func (s *Service) SetStatus(ctx context.Context, agencyID, id, status string, reason map[string]string) (*Idea, error) {
	var errs apperr.Fields
	if status == "" {
		errs.Add("/status", "field.required", nil)
	} else if !slices.Contains(Statuses, status) {
		errs.Add("/status", "field.invalid_enum", map[string]any{"Allowed": strings.Join(Statuses, ", ")})
	}
	reason = checkReason(&errs, reason, status != StatusReceived)
	return s.moderate(ctx, agencyID, id, errs, func(ctx context.Context, tx bun.Tx, idea *Idea) (bool, error) {
		if idea.Status == status && maps.Equal(idea.StatusReason, reason) {
			return false, nil
		}
		idea.Status = status
		if _, err := tx.NewUpdate().Model(idea).Column("status", "moderated_by", "updated_at").WherePK().Exec(ctx); err != nil {
			return false, fmt.Errorf("ideas: set status: %w", err)
		}
		if err := texts.Save(ctx, tx, TextOwner, idea.ID, texts.Fields{FieldStatusReason: reason}); err != nil {
			return false, err
		}
		idea.StatusReason = reason
		return true, s.tellAuthor(ctx, tx, idea, "ideas.notice.status", reason)
	})
}

// SetHidden takes an idea out of everyone else's list (hidden, with a required reason the author
// is told) or puts it back (no reason needed). Setting what is set changes nothing.
func (s *Service) SetHidden(ctx context.Context, agencyID, id string, hidden bool, reason map[string]string) (*Idea, error) {
	var errs apperr.Fields
	reason = checkReason(&errs, reason, hidden)
	return s.moderate(ctx, agencyID, id, errs, func(ctx context.Context, tx bun.Tx, idea *Idea) (bool, error) {
		if idea.Hidden() == hidden && (!hidden || maps.Equal(idea.HiddenReason, reason)) {
			return false, nil
		}
		idea.HiddenAt = nil
		if hidden {
			now := idea.UpdatedAt
			idea.HiddenAt = &now
		} else {
			reason = nil
		}
		if _, err := tx.NewUpdate().Model(idea).Column("hidden_at", "moderated_by", "updated_at").WherePK().Exec(ctx); err != nil {
			return false, fmt.Errorf("ideas: set hidden: %w", err)
		}
		if err := texts.Save(ctx, tx, TextOwner, idea.ID, texts.Fields{FieldHiddenReason: reason}); err != nil {
			return false, err
		}
		idea.HiddenReason = reason
		if !hidden {
			return true, nil
		}
		return true, s.tellAuthor(ctx, tx, idea, "ideas.notice.hidden", reason)
	})
}

// moderate checks the authority and the fields, then runs change on the idea in one transaction.
func (s *Service) moderate(ctx context.Context, agencyID, id string, errs apperr.Fields,
	change func(context.Context, bun.Tx, *Idea) (bool, error)) (*Idea, error) {
	if err := agency.RequireAuthority(ctx, s.db, agencyID, agency.AuthorityIdeas); err != nil {
		return nil, err
	}
	if _, err := load(ctx, s.db, id); err != nil { // an unknown idea is 404 before its fields are judged
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var idea *Idea
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if idea, err = load(ctx, tx, id); err != nil {
			return err
		}
		if err := s.fill(ctx, tx, "", []*Idea{idea}); err != nil {
			return err
		}
		idea.ModeratedBy, idea.UpdatedAt = &agencyID, store.UTC(s.now())
		_, err = change(ctx, tx, idea)
		return err
	})
	return idea, err
}

// checkReason checks a lang → text reason: supported languages, each a clean text, and (when
// required) bokmål or English present so every reader's fallback finds one.
func checkReason(errs *apperr.Fields, reason map[string]string, required bool) map[string]string {
	if len(reason) == 0 {
		if required {
			errs.Add("/reason", "field.required", nil)
		}
		return nil
	}
	out := make(map[string]string, len(reason))
	for _, lang := range slices.Sorted(maps.Keys(reason)) {
		pointer := "/reason/" + strictjson.EscapeToken(lang)
		if !slices.Contains(languageCodes(), lang) {
			errs.Add(pointer, "field.invalid_language", map[string]any{"Supported": strings.Join(languageCodes(), ", ")})
			continue
		}
		text, problem := textcheck.Check(reason[lang], textcheck.Text.Limit(MaxReason).Need(true))
		if problem != nil {
			errs.Add(pointer, problem.Key, problem.Data)
			continue
		}
		out[lang] = text
	}
	_, nb := reason["nb"]
	_, en := reason["en"]
	if !nb && !en {
		errs.Add("/reason/nb", "field.required", nil)
	}
	return out
}

func languageCodes() []string {
	var out []string
	for _, l := range i18n.Languages() {
		out = append(out, l.Code)
	}
	return out
}

// tellAuthor writes the author a notification in every language (title from the UI messages,
// body the moderator's reason) and queues its push through the outbox, in the moderation's
// transaction. The agency is the moderator, so the author sees who decided.
func (s *Service) tellAuthor(ctx context.Context, tx bun.Tx, idea *Idea, key string, reason map[string]string) error {
	agencyID := *idea.ModeratedBy
	n := &notify.Notification{ID: store.NewID(), AgencyID: &agencyID, CitizenID: idea.AuthorID, Category: "general",
		Urgency: "normal", Link: "/ideas/" + idea.ID, CreatedAt: idea.UpdatedAt}
	if _, err := tx.NewInsert().Model(n).Exec(ctx); err != nil {
		return fmt.Errorf("ideas: notify author: %w", err)
	}
	title, body := texts.Values{}, texts.Values{}
	for _, lang := range languageCodes() {
		status := s.tr.Translate(lang, "ideas.status."+idea.Status, nil)
		title[lang] = s.tr.Translate(lang, key, map[string]any{"Title": idea.Title, "Status": status})
		if text, _ := i18n.Pick(reason, lang); text != "" {
			body[lang] = text
		}
	}
	if err := texts.Save(ctx, tx, "notification", n.ID, texts.Fields{"title": title, "body": body}); err != nil {
		return err
	}
	if err := changes.Record(ctx, tx, &idea.AuthorID, "notification", n.ID, changes.OpUpsert, idea.UpdatedAt); err != nil {
		return err
	}
	ev := outbox.NotifyEvent{CitizenID: idea.AuthorID, Kind: "notification", ObjectID: n.ID, Reason: "new"}
	if _, err := outbox.Enqueue(ctx, tx, outbox.TopicNotify, ev, idea.UpdatedAt, outbox.Options{}); err != nil {
		return fmt.Errorf("ideas: notify author: %w", err)
	}
	return nil
}
