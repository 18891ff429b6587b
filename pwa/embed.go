//go:build pwa

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
