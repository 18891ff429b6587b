package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/notify"
)

// NotifyDeps are the web push, preferences and "what we sent you" services. nil leaves
// those routes out (tests of the bare server).
type NotifyDeps struct {
	VAPIDPublicKey string // base64url, the browser's applicationServerKey
	Devices        *notify.Devices
	Preferences    *notify.Preferences
	SentLog        *notify.SentLog
}

// vapidPublicKey answers GET /api/v1/push/vapid-public-key; public, the PWA asks before login too.
func (s *Server) vapidPublicKey(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"key": s.deps.Notify.VAPIDPublicKey})
}

// postPushSubscription registers this browser for the logged-in person (not the person acted
// for: the phone is theirs) and ties it to the session, so logging out forgets it.
func (s *Server) postPushSubscription(c *fiber.Ctx) error {
	p := principalOf(c)
	dev, err := s.deps.Notify.Devices.Register(c.UserContext(), p.CitizenID, p.SessionHash, bytes.Clone(c.Body()), s.deps.Now())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(dev.View())
}

// listPushSubscriptions answers the person's devices, never their endpoints or keys.
func (s *Server) listPushSubscriptions(c *fiber.Ctx) error {
	devs, err := s.deps.Notify.Devices.List(c.UserContext(), principalOf(c).CitizenID)
	if err != nil {
		return err
	}
	items := make([]notify.DeviceView, len(devs))
	for i, d := range devs {
		items[i] = d.View()
	}
	return c.JSON(fiber.Map{"items": items, "nextCursor": nil})
}

// deletePushSubscription is "forget this device".
func (s *Server) deletePushSubscription(c *fiber.Ctx) error {
	if err := s.deps.Notify.Devices.Forget(c.UserContext(), principalOf(c).CitizenID, utils.CopyString(c.Params("id"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// listDeliveries is "what we sent you", newest first, paged by cursor.
func (s *Server) listDeliveries(c *fiber.Ctx) error {
	q, err := s.parseList(c, listDeliveries)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Notify.SentLog.List(c.UserContext(), principalOf(c).CitizenID, q.After, q.Limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "nextCursor": s.next(q, next)})
}
