package apptest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

// Form is a multipart/form-data body as a browser or the PWA's outbox sends it (messages, ideas,
// reports).
type Form struct {
	Fields   [][2]string // name and value, in order; a name may repeat
	Files    []FormFile
	Boundary string // "" lets the writer choose a random one, as every browser send does
}

// FormFile is one file part of a Form.
type FormFile struct {
	Field, Name string
	Data        []byte
}

// Encode returns the body and its Content-Type.
func (f Form) Encode(t testing.TB) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if f.Boundary != "" {
		if err := mw.SetBoundary(f.Boundary); err != nil {
			t.Fatalf("apptest: form boundary: %v", err)
		}
	}
	for _, field := range f.Fields {
		if err := mw.WriteField(field[0], field[1]); err != nil {
			t.Fatalf("apptest: form field %s: %v", field[0], err)
		}
	}
	for _, file := range f.Files {
		part, err := mw.CreateFormFile(file.Field, file.Name)
		if err == nil {
			_, err = part.Write(file.Data)
		}
		if err != nil {
			t.Fatalf("apptest: form file %s: %v", file.Name, err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatalf("apptest: form: %v", err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// PostForm sends form to path as multipart/form-data, with an Idempotency-Key unless key is "".
func (c *Client) PostForm(t testing.TB, path, idempotencyKey string, form Form) *Response {
	t.Helper()
	body, contentType := form.Encode(t)
	req := c.NewRequest(t, http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	return c.Do(t, req)
}
