// Package pwa hands the server the built progressive web app. With the pwa build
// tag the Vite output in pwa/dist is embedded (embed.go); without it (embed_none.go)
// a small page explains how to build it, so the Go build never depends on Node.
package pwa
