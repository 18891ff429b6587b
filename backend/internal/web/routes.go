package web

// routes lists the whole HTTP surface on one screen. Handlers live beside their domain's file.
func (s *Server) routes() {
	app := s.app
	app.Use(s.requestID, s.secureHeaders, s.accessLog, s.language)
	app.Use(s.limitBody) // agency API (ingest): per-route body limits, before any handler reads the body

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())

	api := app.Group("/api", s.noStore)
	_ = api

	// Agency API (ingest): bearer keys, versioned upserts, bulk NDJSON, the OpenAPI document.
	s.agencyRoutes(api)

	// Catch-alls last: unknown API and auth paths are problems, every other GET is the PWA
	// (its router handles deep links).
	app.Use("/api", s.notFound)
	app.Use("/auth", s.notFound)
	app.Get("/*", s.serveApp)
	app.Use(s.notFound)
}
