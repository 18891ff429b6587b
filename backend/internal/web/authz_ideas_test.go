package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"testing"

	"minside/backend/internal/agency"
)

// The idea channel's access classes. An idea is public to every logged-in person once submitted
// (its author shown only by district) until a moderator hides it; then only its author finds it.
// Moderation is for an agency holding the ideas authority, and no other.
const (
	citizenIdea    access = "citizen-with-idea-id" // a session; any visible idea, or one's own hidden one
	agencyIdeas    access = "agency ideas"         // an agency key with the ideas authority
	ideasModerator        = "innolab-authz"
)

// ideaWorld is A's two ideas (one visible with a photo, one hidden) and the moderator's client.
type ideaWorld struct {
	visible, hidden string
	moderator       *agencyActor
}

// ideas makes A's ideas and the moderating agency the first time a row needs them.
func (w *authzWorld) ideas(t *testing.T) *ideaWorld {
	t.Helper()
	if w.ideaObjects != nil {
		return w.ideaObjects
	}
	ctx := context.Background()
	_, key, _, err := w.p.App.Agencies.Create(ctx, ideasModerator, "Innolab", "", agency.AuthorityIdeas)
	if err != nil {
		t.Fatal(err)
	}
	iw := &ideaWorld{moderator: &agencyActor{slug: ideasModerator, key: key.Key, c: w.agencyClient(t, key.Key)}}
	post := func(title string) string {
		var out struct{ ID string }
		_, body := ideaBody(t, w, w.a)
		mb := body.(multipartBody)
		req := w.a.c.NewRequest(t, http.MethodPost, "/api/v1/ideas", bytes.NewReader(mb.data))
		req.Header.Set("Content-Type", mb.contentType)
		w.a.c.Do(t, req).Status(t, http.StatusCreated).JSON(t, &out)
		_ = title
		return out.ID
	}
	iw.visible, iw.hidden = post("visible"), post("hidden")
	do(t, iw.moderator.c, http.MethodPut, "/api/agency/v1/ideas/"+iw.hidden+"/hidden",
		map[string]any{"hidden": true, "reason": map[string]string{"nb": "Skjult i testen."}}, nil).Status(t, http.StatusOK)
	w.ideaObjects = iw
	return iw
}

// ideaBody is a new idea with a photo, as the PWA sends it.
func ideaBody(t *testing.T, _ *authzWorld, _ *actor) (string, any) {
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	b, ct := ideaForm(map[string]string{"title": "Lys i tunnelen", "body": "Bedre lys for syklister.", "area": "transport"}, img.Bytes()).Encode(t)
	return "", multipartBody{contentType: ct, data: b}
}

// checkCitizenIdea: without a session 401; B asking for (or supporting) A's hidden idea is 404 and
// changes nothing; B reads, and supports, A's visible idea; A supporting their own is 403 and
// changes nothing, every other request of A's on it succeeds.
func (row authzRoute) checkCitizenIdea(t *testing.T, w *authzWorld) {
	iw := w.ideas(t)
	visible, hidden := map[string]string{"id": iw.visible}, map[string]string{"id": iw.hidden}
	row.checkNoCredentials(t, w, visible)
	row.checkCSRF(t, w, w.b, visible)
	t.Run("stranger names A's hidden idea", func(t *testing.T) {
		unchanged(t, "B's request for A's hidden idea", w.wholeDigest, func() {
			refused(t, row.send(t, w, row.method, request{who: w.b, params: hidden}), http.StatusNotFound)
		})
	})
	t.Run("another's visible idea", func(t *testing.T) {
		succeeded(t, row.send(t, w, row.method, request{who: w.b, params: visible}))
	})
	t.Run("own", func(t *testing.T) {
		if row.method == http.MethodPut {
			unchanged(t, "A supporting their own idea", w.wholeDigest, func() {
				refused(t, row.send(t, w, row.method, request{who: w.a, params: visible}), http.StatusForbidden)
			})
			return
		}
		succeeded(t, row.send(t, w, row.method, request{who: w.a, params: hidden}))
	})
}

// checkAgencyIdeas: without a key 401; agency Y, without the ideas authority, is 403 and changes
// nothing; the moderator succeeds.
func (row authzRoute) checkAgencyIdeas(t *testing.T, w *authzWorld) {
	iw := w.ideas(t)
	params := map[string]string{"id": iw.visible}
	row.checkAgencyKey(t, w, params)
	var body any
	switch {
	case row.method == http.MethodPut && row.path == "/api/agency/v1/ideas/:id/status":
		body = map[string]any{"status": "being_assessed", "reason": map[string]string{"nb": "Vi ser på det."}}
	case row.method == http.MethodPut:
		body = map[string]any{"hidden": false}
	}
	target := fill(t, row.path, params)
	t.Run("agency without the authority", func(t *testing.T) {
		unchanged(t, "Y's "+row.method+" of an idea", w.wholeDigest, func() {
			refused(t, do(t, w.y.c, row.method, target, body, nil), http.StatusForbidden)
		})
	})
	t.Run("moderator", func(t *testing.T) {
		succeeded(t, do(t, iw.moderator.c, row.method, target, body, nil))
	})
}
