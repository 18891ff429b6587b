// Package migrations embeds the plain-SQL schema migrations, one folder per database dialect.
// Both folders hold the same file names; a store test proves it.
package migrations

import "embed"

// FS holds sqlite/ and postgres/. Hand Bun one dialect's folder (fs.Sub), never the parent:
// Bun discovers migrations recursively and would apply both dialects.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
