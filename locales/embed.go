// Package locales holds the go-i18n message files of Min side, one per language (nb is the source),
// and review.toml, the list of translations awaiting a native speaker. They are embedded so the one
// binary carries every language; backend/internal/i18n reads them.
package locales

import "embed"

// FS is every *.toml in this directory.
//
//go:embed *.toml
var FS embed.FS
