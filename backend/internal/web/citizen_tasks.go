package web

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/auth"
	"minside/backend/internal/overview"
)

// Handlers of tasks and drafts: the detail and "seen". Sensitive content is shown only to a login
// at the step-up level (MINSIDE_STEP_UP_ACR); below it the answer says that the item exists and
// where to log in again at that level (the same /auth/login?acr=… path the doors use).

// cleared reports whether the principal's login meets the step-up level.
func (s *Server) cleared(p Principal) bool {
	return auth.Cleared(p.ACR, s.deps.Config.StepUpACR)
}

// stepUpURL is the login that raises the session to the step-up level and comes back to returnTo.
func (s *Server) stepUpURL(returnTo string) string {
	return "/auth/login?" + url.Values{"acr": {s.deps.Config.StepUpACR}, "returnTo": {returnTo}}.Encode()
}

// taskAnswer is a task with, when its content is withheld, the step-up login.
type taskAnswer struct {
	overview.Task
	StepUpURL string `json:"stepUpUrl,omitempty"`
}

// getTask answers GET /api/v1/tasks/{id}.
func (s *Server) getTask(c *fiber.Ctx) error {
	t, err := s.deps.Overview.Task(c.UserContext(), s.viewerOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	a := taskAnswer{Task: t}
	if t.Withheld {
		a.StepUpURL = s.stepUpURL("/") // the overview, where tasks show
	}
	return c.JSON(a)
}

// markTaskSeen answers POST /api/v1/tasks/{id}/seen with {id, seenAt}: the PWA showed it.
func (s *Server) markTaskSeen(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	id := utils.CopyString(c.Params("id"))
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		t, err := svc.MarkTaskSeen(ctx, tx, p.View(), id, s.deps.Now())
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusOK, fiber.Map{"id": t.ID, "seenAt": t.SeenAt}, nil
	})
}

// withStepUp points every withheld item of the overview (and withheld recent case), and every
// document to sign below the step-up level, at the step-up login.
func (s *Server) withStepUp(o *overview.Overview) {
	for i := range o.Recent {
		if o.Recent[i].Withheld {
			u := s.stepUpURL("/cases/" + o.Recent[i].ID)
			o.Recent[i].StepUpURL = &u
		}
	}
	for i := range o.NeedsAction {
		if o.NeedsAction[i].NeedsStepUp() {
			u := s.stepUpURL("/")
			o.NeedsAction[i].StepUpURL = &u
		}
	}
}
