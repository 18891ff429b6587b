package web

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"minside/backend/internal/apperr"
)

// agencyBulkPath takes bodies up to agencyBulkBodyLimit, read as a stream by its handler; every
// other route keeps Config.BodyLimit and is read by limitBody.
const (
	agencyBulkPath      = "/api/agency/v1/bulk"
	agencyBulkBodyLimit = 16 << 20
)

// After an answer that leaves part of the body unread, the connection is closed gracefully: the
// server stops writing, then reads and drops what the client still sends, up to lingerBytes or for
// lingerTime, before closing. Closing at once, with the body's bytes unread, makes the kernel
// reset the connection, and a client still sending then never reads the answer.
const (
	lingerBytes = 4 << 20
	lingerTime  = 3 * time.Second
)

// declaredLengthHeader carries an over-limit Content-Length from headerReceived to limitBody.
// headerReceived deletes it from every request first, so a client cannot set it.
const declaredLengthHeader = "X-Minside-Declared-Length"

// streamsBody reports whether the route at path reads its own body as a stream: the bulk route.
func (s *Server) streamsBody(path []byte) bool {
	return string(path) == agencyBulkPath && s.deps.Records != nil
}

func (s *Server) bodyLimitOf(path []byte) int {
	if s.streamsBody(path) {
		return agencyBulkBodyLimit
	}
	if s.takesUpload(path) {
		return s.deps.Config.UploadLimit
	}
	return s.deps.Config.BodyLimit
}

// headerReceived runs when a request's header has been read, before the server reads any of the
// body or answers "100 Continue". A declared Content-Length over the route's limit is set aside
// (the body is not read, no 100 Continue is sent), so limitBody can answer 413 at once.
func (s *Server) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	h.Del(declaredLengthHeader)
	if n := h.ContentLength(); n > s.bodyLimitOf(pathOf(h.RequestURI())) {
		h.Set(declaredLengthHeader, strconv.Itoa(n))
		h.Del(fiber.HeaderExpect)
		h.SetContentLength(0)
	}
	return fasthttp.RequestConfig{}
}

// takesUpload reports whether path is a multipart route with files: a message
// (/api/v1/cases/<id>/messages or /api/v1/me/errands/<id>/messages), an idea with its photo
// (/api/v1/ideas) or a report with its photos (/api/v1/reports), the citizen routes whose body
// may pass the general limit.
func (s *Server) takesUpload(path []byte) bool {
	if s.deps.Ideas != nil && string(path) == ideasPath {
		return true
	}
	if s.deps.Reports != nil && string(path) == reportsPath {
		return true
	}
	if s.deps.Messages == nil || !bytes.HasSuffix(path, []byte(messagesPathSuffix)) {
		return false
	}
	for _, prefix := range []string{"/api/v1/cases/", "/api/v1/me/errands/"} {
		if bytes.HasPrefix(path, []byte(prefix)) {
			id := path[len(prefix) : len(path)-len(messagesPathSuffix)]
			return len(id) > 0 && bytes.IndexByte(id, '/') < 0
		}
	}
	return false
}

// pathOf is the path of a request target: origin form ("/a?b") or absolute form ("http://h/a?b").
func pathOf(target []byte) []byte {
	if i := bytes.Index(target, []byte("://")); i >= 0 && !bytes.HasPrefix(target, []byte("/")) {
		target = target[i+3:]
		if j := bytes.IndexByte(target, '/'); j >= 0 {
			target = target[j:]
		} else {
			target = nil
		}
	}
	if i := bytes.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	return target
}

// limitBody enforces each route's body limit before any handler sees the body: a declared length
// over the limit is refused before a byte of it is read; a chunked body is read up to the limit.
// The bulk route's body is left to its handler, which reads it as a stream after authentication
// (bulkBody); if the handler does not read it all, the connection closes gracefully.
func (s *Server) limitBody(c *fiber.Ctx) error {
	path := []byte(c.Path())
	limit := s.bodyLimitOf(path)
	req := c.Request()
	if declared := req.Header.Peek(declaredLengthHeader); len(declared) > 0 {
		s.lingerClose(c)
		return tooLarge(limit)
	}
	stream := req.BodyStream()
	if stream == nil {
		return c.Next()
	}
	if s.streamsBody(path) {
		// The body is read while its lines are applied, which may take longer than the server's
		// read timeout for the whole request: each read gets that long again instead.
		body := &bulkStream{r: stream, left: int64(limit), conn: c.Context().Conn(), idle: s.app.Config().ReadTimeout}
		c.Locals(localBulkBody, body)
		err := c.Next()
		if !body.done {
			s.lingerClose(c)
		}
		return err
	}
	body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		return apperr.BadRequest("error.detail.malformed_json").Wrap(err)
	}
	if len(body) > limit {
		s.lingerClose(c)
		return tooLarge(limit)
	}
	req.SetBody(body)
	return c.Next()
}

func tooLarge(limit int) error {
	return apperr.New(apperr.CodeTooLarge).WithDetail("error.detail.body_too_large", map[string]any{"Limit": limit})
}

const localBulkBody = "bulkBody"

// bulkStream is the bulk route's body as it arrives, refused past the route's limit (a chunked
// body declares no length).
type bulkStream struct {
	r    io.Reader
	left int64
	done bool // read to its end

	conn net.Conn      // whose read deadline moves on before each read (nil: none)
	idle time.Duration // how long one read may wait
}

func (b *bulkStream) Read(p []byte) (int, error) {
	if b.conn != nil && b.idle > 0 {
		_ = b.conn.SetReadDeadline(time.Now().Add(b.idle))
	}
	if b.left <= 0 {
		one := make([]byte, 1)
		if n, _ := b.r.Read(one); n > 0 {
			return 0, tooLarge(agencyBulkBodyLimit)
		}
		b.done = true
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case errors.Is(err, io.EOF):
		b.done = true
	case err != nil:
		// The client's side (a timeout, a connection gone): not the database's.
		err = apperr.New(apperr.CodeBadRequest).Wrap(err)
	}
	return n, err
}

// bulkBody is the bulk route's body stream (set by limitBody), or the buffered body when the
// server did not stream it.
func bulkBody(c *fiber.Ctx) io.Reader {
	if b, ok := c.Locals(localBulkBody).(*bulkStream); ok {
		return b
	}
	return bytes.NewReader(c.Body())
}

// lingerClose makes the connection close gracefully after this answer (see lingerBytes). It takes
// the connection over once the handler is done: writes the answer with "Connection: close", shuts
// down its writing side, and drains what the client still sends. Connections that are not TCP
// (app.Test's in-memory ones) are simply closed after the answer.
func (s *Server) lingerClose(c *fiber.Ctx) {
	fctx := c.Context()
	tcp, ok := fctx.Conn().(*net.TCPConn)
	if !ok {
		c.Set(fiber.HeaderConnection, "close")
		return
	}
	fctx.HijackSetNoResponse(true)
	fctx.Hijack(func(conn net.Conn) {
		// fctx stays valid until this function returns (fasthttp releases it afterwards).
		fctx.Response.SetConnectionClose()
		_ = conn.SetWriteDeadline(time.Now().Add(lingerTime))
		w := bufio.NewWriter(conn)
		if err := fctx.Response.Write(w); err != nil || w.Flush() != nil {
			return
		}
		_ = tcp.CloseWrite()
		_ = conn.SetReadDeadline(time.Now().Add(lingerTime))
		_, _ = io.CopyN(io.Discard, conn, lingerBytes)
	})
}
