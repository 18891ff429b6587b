package ideas

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
	"minside/backend/internal/files"
	"minside/backend/internal/paging"
	"minside/backend/internal/store"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/texts"
	"minside/backend/internal/uploads"
	"minside/backend/internal/webhook"
)

// Field message keys of refusals particular to ideas (localized in locales/).
const (
	KeyPhotoType = "field.photo_type"         // a photo must be JPEG or PNG
	KeyOwnIdea   = "error.detail.own_idea"    // the author cannot support their own idea
	KeyHidden    = "error.detail.idea_hidden" // a hidden idea cannot be supported
)

// Translator gives a UI message in a language: the author's notice is written in every language,
// like an agency's notification.
type Translator interface {
	Translate(lang, id string, data map[string]any) string
}

// Service submits, lists, supports and moderates ideas.
type Service struct {
	db     *store.DB
	files  files.Store
	limits uploads.Limits
	tr     Translator
	now    func() time.Time
}

// New builds the service; limits bound the photo (one file, an image).
func New(db *store.DB, store files.Store, limits uploads.Limits, tr Translator, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	limits.MaxFiles = 1
	return &Service{db: db, files: store, limits: limits, tr: tr, now: now}
}

// Limits are the photo's limits (the web layer sizes the upload body limit from them).
func (s *Service) Limits() uploads.Limits { return s.limits }

// Draft is what a resident writes.
type Draft struct {
	Title string
	Body  string
	Area  string
	Photo *uploads.Input // optional
}

// Created is the data of the idea.created webhook: what the idea says, never who wrote it.
type Created struct {
	IdeaID    string    `json:"ideaId"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Area      string    `json:"area"`
	District  string    `json:"district"`
	HasPhoto  bool      `json:"hasPhoto"`
	CreatedAt time.Time `json:"createdAt"`
}

// SubmitTx stores authorID's idea in the caller's transaction (the web layer's idempotency record
// shares it) and tells every moderating agency. Bad fields give one apperr.Invalid naming each,
// and nothing is stored.
func (s *Service) SubmitTx(ctx context.Context, tx bun.IDB, authorID string, d Draft) (*Idea, error) {
	now := store.UTC(s.now())
	var errs apperr.Fields
	title, problem := textcheck.Check(strings.TrimSpace(d.Title), textcheck.Line.Limit(MaxTitle).Need(true))
	if problem != nil {
		errs.Add("/title", problem.Key, problem.Data)
	}
	body, problem := textcheck.Check(strings.TrimSpace(d.Body), textcheck.Text.Limit(MaxBody).Need(true))
	if problem != nil {
		errs.Add("/body", problem.Key, problem.Data)
	}
	if d.Area == "" {
		errs.Add("/area", "field.required", nil)
	} else if !ValidArea(d.Area) {
		errs.Add("/area", "field.invalid_enum", map[string]any{"Allowed": strings.Join(Areas, ", ")})
	}
	photo, photoErrs := s.checkPhoto(d.Photo)
	errs = append(errs, photoErrs...)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	author := new(citizens.Citizen)
	if err := tx.NewSelect().Model(author).Column("id", "district").Where("id = ?", authorID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ideas: author: %w", err)
	}
	idea := &Idea{ID: store.NewID(), AuthorID: authorID, District: author.District, Area: d.Area, Title: title, Body: body,
		Status: StatusReceived, CreatedAt: now, UpdatedAt: now}
	if photo != nil {
		key, typ, size := FileOwner().Prefix+idea.ID, photo.Type, int64(len(photo.Data))
		// The bytes go first: an idea never points at a photo that is not there.
		if err := s.files.Put(ctx, key, bytes.NewReader(photo.Data), size, typ); err != nil {
			return nil, fmt.Errorf("ideas: store photo: %w", err)
		}
		idea.PhotoKey, idea.PhotoType, idea.PhotoSize = &key, &typ, &size
	}
	if err := s.insert(ctx, tx, idea); err != nil {
		if idea.PhotoKey != nil {
			_ = s.files.Delete(context.WithoutCancel(ctx), *idea.PhotoKey)
		}
		return nil, err
	}
	return idea, nil
}

func (s *Service) insert(ctx context.Context, tx bun.IDB, idea *Idea) error {
	if _, err := tx.NewInsert().Model(idea).Exec(ctx); err != nil {
		return fmt.Errorf("ideas: insert: %w", err)
	}
	moderators, err := moderatorIDs(ctx, tx)
	if err != nil {
		return err
	}
	ev := Created{IdeaID: idea.ID, Title: idea.Title, Body: idea.Body, Area: idea.Area, District: idea.District,
		HasPhoto: idea.HasPhoto(), CreatedAt: idea.CreatedAt}
	for _, id := range moderators {
		if err := webhook.Enqueue(ctx, tx, id, EventCreated, ev, idea.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// checkPhoto checks the optional photo as every upload is checked (type by its bytes, size,
// pixels, metadata stripped); a PDF is a good attachment but no photo.
func (s *Service) checkPhoto(in *uploads.Input) (*uploads.File, apperr.Fields) {
	if in == nil {
		return nil, nil
	}
	checked, err := uploads.Check("/photo", []uploads.Input{*in}, s.limits)
	if e, ok := apperr.As(err); ok {
		fields := e.Fields
		for i := range fields {
			fields[i].Pointer = "/photo" // one photo: no index
		}
		return nil, fields
	}
	if err != nil || len(checked) != 1 {
		return nil, apperr.Fields{apperr.Field("/photo", uploads.KeyBrokenImage, nil)}
	}
	if checked[0].Type != uploads.TypeJPEG && checked[0].Type != uploads.TypePNG {
		return nil, apperr.Fields{apperr.Field("/photo", KeyPhotoType, nil)}
	}
	return &checked[0], nil
}

// moderatorIDs are the agencies holding the ideas authority.
func moderatorIDs(ctx context.Context, db bun.IDB) ([]string, error) {
	var ids []string
	err := db.NewSelect().Model((*agency.Authority)(nil)).Column("agency_id").Where("kind = ?", agency.AuthorityIdeas).
		Order("agency_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("ideas: moderators: %w", err)
	}
	return ids, nil
}

// Sort orders of the list.
const (
	SortNewest    = "newest"
	SortSupported = "supported"
)

// Query is one page of the visible ideas.
type Query struct {
	Sort   string // SortNewest (default) or SortSupported
	Area   string // "" for every area
	Limit  int
	Offset int
}

// CheckQuery refuses an unknown sort or area, naming the parameter.
func CheckQuery(q Query) error {
	var errs apperr.Fields
	if q.Sort != "" && q.Sort != SortNewest && q.Sort != SortSupported {
		errs.Add("/sort", "field.invalid_enum", map[string]any{"Allowed": SortNewest + ", " + SortSupported})
	}
	if q.Area != "" && !ValidArea(q.Area) {
		errs.Add("/area", "field.invalid_enum", map[string]any{"Allowed": strings.Join(Areas, ", ")})
	}
	return errs.Err()
}

// List is a page of the ideas no moderator has hidden, as viewerID reads them, and whether more
// follow. Paging is by position: support counts move while someone pages, and a position that
// shifts by one is harmless here, where a cursor on a moving count would skip or repeat.
func (s *Service) List(ctx context.Context, viewerID string, q Query) ([]*Idea, bool, error) {
	if err := CheckQuery(q); err != nil {
		return nil, false, err
	}
	if q.Limit <= 0 {
		q.Limit = paging.DefaultLimit
	}
	var out []*Idea
	sel := s.db.NewSelect().Model(&out).Where("hidden_at IS NULL")
	if q.Area != "" {
		sel = sel.Where("area = ?", q.Area)
	}
	if q.Sort == SortSupported {
		sel = sel.Order("support_count DESC")
	}
	err := sel.Order("created_at DESC", "id DESC").Limit(int64(q.Limit + 1)).Offset(int64(q.Offset)).Scan(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("ideas: list: %w", err)
	}
	more := len(out) > q.Limit
	if more {
		out = out[:q.Limit]
	}
	return out, more, s.fill(ctx, s.db, viewerID, out)
}

// Mine is every idea viewerID wrote, newest first, hidden ones too (with the reason).
func (s *Service) Mine(ctx context.Context, viewerID string) ([]*Idea, error) {
	var out []*Idea
	if err := s.db.NewSelect().Model(&out).Where("author_id = ?", viewerID).Order("created_at DESC", "id DESC").Limit(200).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ideas: mine: %w", err)
	}
	return out, s.fill(ctx, s.db, viewerID, out)
}

// Get is one idea viewerID may see: a visible one, or their own.
func (s *Service) Get(ctx context.Context, viewerID, id string) (*Idea, error) {
	idea, err := s.visible(ctx, s.db, viewerID, id)
	if err != nil {
		return nil, err
	}
	return idea, s.fill(ctx, s.db, viewerID, []*Idea{idea})
}

// visible loads an idea viewerID may see; a hidden idea of someone else's is not found.
func (s *Service) visible(ctx context.Context, db bun.IDB, viewerID, id string) (*Idea, error) {
	idea, err := load(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if idea.Hidden() && idea.AuthorID != viewerID {
		return nil, apperr.NotFound()
	}
	return idea, nil
}

func load(ctx context.Context, db bun.IDB, id string) (*Idea, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFound()
	}
	idea := new(Idea)
	err := db.NewSelect().Model(idea).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("ideas: load: %w", err)
	}
	return idea, nil
}

// fill adds the reasons and whether viewerID supports each idea: two queries for a page.
func (s *Service) fill(ctx context.Context, db bun.IDB, viewerID string, list []*Idea) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, idea := range list {
		ids[i] = idea.ID
	}
	reasons, err := texts.Load(ctx, db, TextOwner, ids)
	if err != nil {
		return err
	}
	var supported []string
	if viewerID != "" {
		err := db.NewSelect().Model((*Support)(nil)).Column("idea_id").Where("citizen_id = ? AND idea_id IN (?)", viewerID, bun.In(ids)).Scan(ctx, &supported)
		if err != nil {
			return fmt.Errorf("ideas: supports: %w", err)
		}
	}
	mine := map[string]bool{}
	for _, id := range supported {
		mine[id] = true
	}
	for _, idea := range list {
		idea.StatusReason = reasons[idea.ID][FieldStatusReason]
		idea.HiddenReason = reasons[idea.ID][FieldHiddenReason]
		idea.Supported = mine[idea.ID]
	}
	return nil
}

// Support records viewerID's support of a visible idea of someone else's; supporting again
// changes nothing. Withdraw (support false) takes it back, equally idempotent.
func (s *Service) Support(ctx context.Context, viewerID, id string, support bool) (*Idea, error) {
	var idea *Idea
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if idea, err = s.visible(ctx, tx, viewerID, id); err != nil {
			return err
		}
		if idea.AuthorID == viewerID && support {
			return apperr.Forbidden().WithDetail(KeyOwnIdea, nil)
		}
		if idea.Hidden() && support {
			return apperr.Conflict(KeyHidden)
		}
		var res sql.Result
		if support {
			row := &Support{IdeaID: idea.ID, CitizenID: viewerID, CreatedAt: store.UTC(s.now())}
			res, err = tx.NewInsert().Model(row).On("CONFLICT (idea_id, citizen_id) DO NOTHING").Exec(ctx)
		} else {
			res, err = tx.NewDelete().Model((*Support)(nil)).Where("idea_id = ? AND citizen_id = ?", idea.ID, viewerID).Exec(ctx)
		}
		if err != nil {
			return fmt.Errorf("ideas: support: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			delta := int64(1)
			if !support {
				delta = -1
			}
			// The count is kept on the idea, so the list sorts by it without counting rows.
			if err := tx.NewUpdate().Model(idea).Set("support_count = support_count + ?", delta).WherePK().
				Returning("support_count").Scan(ctx, &idea.SupportCount); err != nil {
				return fmt.Errorf("ideas: count support: %w", err)
			}
		}
		return s.fill(ctx, tx, viewerID, []*Idea{idea})
	})
	return idea, err
}

// Photo opens the photo of an idea viewerID may see.
func (s *Service) Photo(ctx context.Context, viewerID, id string) (*Idea, func() (io.ReadCloser, error), error) {
	idea, err := s.visible(ctx, s.db, viewerID, id)
	if err != nil {
		return nil, nil, err
	}
	return s.photo(idea)
}

func (s *Service) photo(idea *Idea) (*Idea, func() (io.ReadCloser, error), error) {
	if !idea.HasPhoto() {
		return nil, nil, apperr.NotFound()
	}
	return idea, func() (io.ReadCloser, error) { return s.files.Open(context.Background(), *idea.PhotoKey) }, nil
}

// FileOwner says where an idea's photo is kept (ideas/<idea id>) and which row names it, for the
// sweep of orphaned files.
func FileOwner() files.Owner {
	return files.Owner{Prefix: "ideas/", Table: "ideas", IDColumn: "id", KeyColumn: "photo_key"}
}
