package web

import (
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"minside/backend/internal/messages"
	"minside/backend/internal/reports"

	"minside/backend/internal/actions"
)

// routes lists the whole HTTP surface on one screen. Handlers live beside their domain's file.
func (s *Server) routes() {
	app := s.app
	app.Use(s.requestID, s.secureHeaders, s.accessLog, s.language)
	app.Use(s.limitBody)  // agency API (ingest): per-route body limits, before any handler reads the body
	app.Use(s.dbDeadline) // every request's database work ends within Config.DBTimeout (deadline.go)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())

	// The UI messages are 20 KB of JSON, a third of that compressed. Only public, secret-free
	// answers are compressed: a secret compressed next to text an attacker controls leaks
	// through the length (BREACH).
	compressed := compress.New(compress.Config{Level: compress.LevelBestSpeed})
	api := app.Group("/api", s.noStore)
	api.Get("/v1/config", s.runtimeConfig)            // public: what one PWA build needs to fit this deployment
	api.Get("/v1/i18n/:lang", compressed, s.messages) // public: the UI messages of one language

	// Login, sessions and representation
	if s.deps.DevIdP != nil {
		app.All("/dev-idp/*", adaptor.HTTPHandler(s.deps.DevIdP)) // dev mode only: see app.New
	}
	if s.deps.Login != nil {
		app.Get("/auth/login", s.noStore, s.authLogin)
		app.Get("/auth/callback", s.noStore, s.authCallback)
		app.Post("/auth/logout", s.noStore, s.requireCitizen, s.csrf, s.authLogout)
		app.Get("/auth/frontchannel-logout", s.noStore, s.authFrontchannelLogout)
	}
	// Web push and preferences: the public key is public
	if s.deps.Notify != nil {
		app.Get("/api/v1/push/vapid-public-key", s.noStore, s.vapidPublicKey)
	}
	// Reporting: services, nearby and the public list are public; a report may be sent without
	// login (optionalCitizen) and read with its private link's token.
	if s.deps.Reports != nil {
		api.Get("/v1/report-services", s.reportServices)
		api.Get("/v1/reports/nearby", s.nearbyReports)
		api.Get("/v1/public/reports", s.publicReports)
		api.Post("/v1/reports", s.optionalCitizen, s.csrfWhenLoggedIn, s.postReport)
		api.Get("/v1/reports/:id", s.optionalCitizen, s.getReport)
		app.Get(reports.PhotoLinkPath+":id", s.noStore, s.signedReportPhoto) // public: the signature is the credential
	}
	// Public /api/v1 routes (no session) must be registered ABOVE this group: its middleware
	// applies to every /api/v1 path registered after it. Citizen routes go on citizen.
	citizen := app.Group("/api/v1", s.requireCitizen, s.csrf)
	citizen.Get("/me", s.me)
	citizen.Get("/me/messages", compressed, s.myMessages) // the UI messages in the language this citizen reads
	citizen.Put("/me/acting-as", s.putActingAs)
	citizen.Get("/me/representation", s.myRepresentation)

	// Web push, preferences and "what we sent you"
	if s.deps.Notify != nil {
		citizen.Post("/push/subscriptions", s.postPushSubscription)
		citizen.Get("/push/subscriptions", s.listPushSubscriptions)
		citizen.Delete("/push/subscriptions/:id", s.deletePushSubscription)
		citizen.Get("/me/preferences", s.getPreferences)
		citizen.Put("/me/preferences", s.putPreferences)
		citizen.Get("/me/deliveries", s.listDeliveries)
	}

	// Actions, calendar feed and the citizen's own data
	citizen.Post("/bookings/:id/cancel", s.cancelBooking)
	citizen.Post("/keys/:id/open", s.openDoor)
	citizen.Get("/keys/:id/uses", s.keyUses)
	citizen.Post("/notifications/read-all", s.markAllRead)
	citizen.Post("/notifications/:id/read", s.markRead)
	citizen.Post("/tasks/:id/seen", s.markTaskSeen)
	citizen.Post("/documents/:id/acknowledge", s.acknowledgeDocument)
	citizen.Post("/me/suggestions/shown", s.suggestionsShown)
	citizen.Post("/me/suggestions/:id/dismiss", s.chooseSuggestion(actions.ChoiceDismiss))
	citizen.Post("/me/suggestions/:id/snooze", s.chooseSuggestion(actions.ChoiceSnooze))
	citizen.Post("/me/suggestions/:id/done", s.chooseSuggestion(actions.ChoiceDone))
	citizen.Post("/me/suggestions/:id/act", s.chooseSuggestion(actions.ChoiceAct))
	citizen.Get("/me/calendar", s.getCalendar)
	citizen.Post("/me/calendar", s.postCalendar)
	citizen.Delete("/me/calendar", s.deleteCalendar)
	citizen.Get("/me/export", s.exportData)
	citizen.Get("/me/export.html", s.exportHTML)
	citizen.Get("/me/access-log", s.accessLogList)
	citizen.Delete("/me", s.closeAccount)
	if s.deps.Reports != nil {
		citizen.Get("/me/reports", s.myReports)
		citizen.Post("/reports/:id/follow", s.followReport)
	}
	app.Get("/calendar/:file", s.calendarFeed) // public: the secret token in the URL is the credential
	// Messages on a case or an errand, with attachments; agencies download through signed links
	if s.deps.Messages != nil {
		citizen.Get("/cases/:id/messages", s.caseMessages)
		citizen.Post("/cases/:id/messages", s.postCaseMessage)
		citizen.Get("/me/errands/:id/messages", s.errandMessages)
		citizen.Post("/me/errands/:id/messages", s.postErrandMessage)
		citizen.Get("/attachments/:id", s.citizenAttachment)
		app.Get(messages.LinkPath+":id", s.noStore, s.signedAttachment) // public: the signature is the credential
	}
	// The idea channel: residents' ideas, supported by others
	if s.deps.Ideas != nil {
		citizen.Get("/ideas", s.listIdeas)
		citizen.Post("/ideas", s.postIdea)
		citizen.Get("/ideas/:id", s.getIdea)
		citizen.Get("/ideas/:id/photo", s.ideaPhoto)
		citizen.Put("/ideas/:id/support", s.supportIdea(true))
		citizen.Delete("/ideas/:id/support", s.supportIdea(false))
		citizen.Get("/me/ideas", s.myIdeas)
	}
	// Overview, lists, search, changes feed and live updates
	if s.deps.Overview != nil {
		citizen.Get("/me/overview", s.getOverview)
		citizen.Get("/cases", s.listCases)
		citizen.Get("/cases/:id", s.getCase)
		citizen.Get("/tasks/:id", s.getTask)
		citizen.Get("/me/errands/:id", s.getErrand)
		citizen.Get("/bookings", s.listBookings)
		citizen.Get("/keys", s.listKeys)
		citizen.Get("/notifications", s.listNotifications)
		citizen.Get("/tiles", s.listTiles)
		citizen.Get("/me/suggestions", s.listSuggestions)
		citizen.Get("/search", s.search)
		citizen.Get("/changes", s.changesFeed)
		citizen.Get("/events", s.events)
	}
	// Agency console: editors' tiles, notices and rules
	if s.deps.Console != nil {
		citizen.Get("/console/agencies", s.consoleAgencies)
		citizen.Get("/console/districts", s.consoleDistricts)
		citizen.Get("/console/:slug/tiles", s.consoleTiles)
		citizen.Post("/console/:slug/tiles", s.consoleCreateTile)
		citizen.Post("/console/:slug/tiles/preview", s.consolePreview)
		citizen.Put("/console/:slug/tiles/:id", s.consoleUpdateTile)
		citizen.Post("/console/:slug/tiles/:id/publish", s.consoleTileStatus("published"))
		citizen.Post("/console/:slug/tiles/:id/unpublish", s.consoleTileStatus("draft"))
		citizen.Post("/console/:slug/notices", s.consoleNotice)
		citizen.Get("/console/:slug/rules", s.consoleRules)
		citizen.Post("/console/:slug/rules", s.consoleCreateRule)
		citizen.Post("/console/:slug/rules/check", s.consoleCheckRule)
		citizen.Post("/console/:slug/rules/preview", s.consolePreviewRule)
		citizen.Put("/console/:slug/rules/:id", s.consoleUpdateRule)
		citizen.Post("/console/:slug/rules/:id/publish", s.consoleRuleStatus("published"))
		citizen.Post("/console/:slug/rules/:id/unpublish", s.consoleRuleStatus("draft"))
		citizen.Get("/console/:slug/rules/:id/stats", s.consoleRuleStats)
	}

	// Translator console
	if s.deps.Translate != nil {
		citizen.Get("/translate/languages", s.translateLanguages)
		citizen.Get("/translate/:lang/messages", compressed, s.translateMessages) // every message at once: the console searches and pages them
		citizen.Put("/translate/:lang/messages/:id", s.translatePublish)
		citizen.Get("/translate/:lang/export", s.translateExport)
		citizen.Get("/translate/:lang/history", s.translateHistory)
	}
	// Agency API (ingest): bearer keys, versioned upserts, bulk NDJSON, the OpenAPI document.
	s.agencyRoutes(api)
	// Open311 GeoReport v2: public GETs, POST with an agency's api_key; its errors in its own format.
	s.open311Routes()

	// Catch-alls last: unknown API and auth paths are problems, every other GET is the PWA
	// (its router handles deep links).
	app.Use("/api", s.notFound)
	app.Use("/auth", s.notFound)
	app.Use("/open311", s.notFound)
	app.Get("/*", s.serveApp)
	app.Use(s.notFound)
}
