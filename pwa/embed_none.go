//go:build !pwa

package pwa

import (
	"embed"
	"io/fs"
)

//go:embed placeholder
var placeholder embed.FS

// Dist returns a placeholder page that says how to build the PWA, and false:
// this binary was built without the pwa tag.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(placeholder, "placeholder")
	if err != nil {
		panic("pwa: embedded placeholder: " + err.Error())
	}
	return sub, false
}
