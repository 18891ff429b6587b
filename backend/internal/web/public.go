package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime/debug"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
)

// runtimeConfig hands the PWA what differs between deployments, so one build fits them all.
func (s *Server) runtimeConfig(c *fiber.Ctx) error {
	type language struct {
		Code string `json:"code"`
		Name string `json:"name"`
		Dir  string `json:"dir"`
	}
	var langs []language
	for _, l := range s.deps.Catalog.Languages() {
		langs = append(langs, language{Code: l.Code, Name: l.Name, Dir: l.Dir})
	}
	return c.JSON(fiber.Map{
		"mode":            s.deps.Config.Env,
		"languages":       langs,
		"defaultLanguage": "nb",
		"vapidPublicKey":  s.deps.Config.VAPIDPublicKey,
		"loginUrl":        "/auth/login",
		"version":         buildVersion(),
		"map":             s.mapConfig(),
	})
}

// mapConfig tells the public reports page where to look first and, when the operator configured
// a tile server, its URL template and credit line; without tiles the page is a list.
func (s *Server) mapConfig() fiber.Map {
	cfg := s.deps.Config
	lat, lon, _ := cfg.MapCenterLatLon() // validated at start
	m := fiber.Map{"center": fiber.Map{"lat": lat, "lon": lon}}
	if cfg.MapTilesURL != "" {
		m["tilesUrl"] = cfg.MapTilesURL
		m["attribution"] = cfg.MapTilesAttribution
	}
	return m
}

// messages answers one language's UI messages after the fallback chain, with an ETag: translators
// publish without a restart, so clients revalidate instead of caching blindly.
func (s *Server) messages(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if !s.deps.Catalog.Has(lang) {
		return apperr.NotFound()
	}
	return s.sendMessages(c, lang, "no-cache")
}

// myMessages answers the messages of the language this citizen reads in (the saved one, else
// Accept-Language), so a first visit on a new device needs one round trip, not /me and then
// the messages. Like every answer to a logged-in citizen it is no-store: it tells which language
// this person reads.
func (s *Server) myMessages(c *fiber.Ctx) error {
	c.Vary(fiber.HeaderCookie, fiber.HeaderAcceptLanguage)
	return s.sendMessages(c, languageOf(c), "no-store")
}

func (s *Server) sendMessages(c *fiber.Ctx, lang, cacheControl string) error {
	dir := "ltr"
	for _, l := range s.deps.Catalog.Languages() {
		if l.Code == lang {
			dir = l.Dir
		}
	}
	body, err := json.Marshal(fiber.Map{"lang": lang, "dir": dir, "messages": s.deps.Catalog.Messages(lang)})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:12]) + `"` // weak: the same for the gzip and the plain body
	c.Set(fiber.HeaderCacheControl, cacheControl)
	c.Set(fiber.HeaderETag, etag)
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

// buildVersion names the running build (the VCS revision when the binary carries one).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	for _, setting := range info.Settings {
		if setting.Key == "vcs.revision" && len(setting.Value) >= 12 {
			return setting.Value[:12]
		}
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
