package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// staticFiles is the built PWA, loaded into memory once with a gzip twin and an ETag per file:
// the dist folder is small, and serving from memory keeps the first load fast.
type staticFiles struct {
	files map[string]*staticFile
}

type staticFile struct {
	body, gzipped []byte
	etag          string
	contentType   string
	cacheControl  string
}

func loadStatic(fsys fs.FS) (*staticFiles, error) {
	sf := &staticFiles{files: map[string]*staticFile{}}
	if fsys == nil {
		return sf, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &staticFile{
			body:         body,
			etag:         `"` + hex.EncodeToString(sum[:8]) + `"`,
			contentType:  contentTypeOf(p),
			cacheControl: cacheControlOf(p),
		}
		if compressible(f.contentType) && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(body)
			_ = zw.Close()
			if buf.Len() < len(body) {
				f.gzipped = buf.Bytes()
			}
		}
		sf.files["/"+p] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load PWA files: %w", err)
	}
	return sf, nil
}

func contentTypeOf(p string) string {
	switch path.Ext(p) {
	case ".webmanifest":
		return "application/manifest+json"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// cacheControlOf keeps content-hashed assets forever and makes the entry points revalidate, so a
// new release is picked up on the next visit while repeat visits cost nothing.
func cacheControlOf(p string) string {
	if strings.HasPrefix(p, "assets/") {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

func compressible(contentType string) bool {
	for _, prefix := range []string{"text/", "application/javascript", "application/json", "application/manifest+json", "image/svg+xml"} {
		if strings.HasPrefix(contentType, prefix) {
			return true
		}
	}
	return false
}

// serveApp answers GET requests for the PWA: a file if one exists, else index.html so that deep
// links reach the app's own router.
func (s *Server) serveApp(c *fiber.Ctx) error {
	f, ok := s.static.files[c.Path()]
	if !ok {
		if path.Ext(c.Path()) != "" && c.Path() != "/" {
			return s.notFound(c) // a missing asset is a 404, not the app page
		}
		f, ok = s.static.files["/index.html"]
		if !ok {
			return s.notFound(c)
		}
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderCacheControl, f.cacheControl)
	c.Set(fiber.HeaderETag, f.etag)
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	if c.Get(fiber.HeaderIfNoneMatch) == f.etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if f.gzipped != nil && strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(f.gzipped)
	}
	return c.Send(f.body)
}
