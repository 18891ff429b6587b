//go:build pwa

// Package pwa hands the server the built progressive web app. With the pwa build
// tag the Vite output in pwa/dist is embedded; without it (embed_none.go) a small
// page explains how to build it, so the Go build never depends on Node.
package pwa

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app (index.html, sw.js, manifest, hashed assets) and true.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only on an invalid path; "dist" is a constant.
		panic("pwa: embedded dist: " + err.Error())
	}
	return sub, true
}
