package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/store"
)

// checkPublic: anyone gets an answer (after redirects) that holds nothing of A's.
func (row authzRoute) checkPublic(t *testing.T, w *authzWorld) {
	t.Run("anyone", func(t *testing.T) {
		r := row.send(t, w, row.method, request{})
		if r.StatusCode >= 400 {
			t.Errorf("%s %s without credentials: %d, want an answer; body: %.300s", row.method, row.path, r.StatusCode, r.Body)
		}
		holdsNone(t, r, "a public answer with A's", w.strangerMarks)
	})
}

// checkDevOnly: the dev identity provider answers its discovery document; no method makes it fail.
func (row authzRoute) checkDevOnly(t *testing.T, w *authzWorld) {
	t.Run("anyone", func(t *testing.T) {
		succeeded(t, row.send(t, w, http.MethodGet, request{}))
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			row.send(t, w, m, request{}) // send fails the test on a 5xx
		}
	})
}

// checkSecretLink: the calendar feed answers only to a live secret, and B's secret shows B's.
func (row authzRoute) checkSecretLink(t *testing.T, w *authzWorld) {
	t.Run("no credentials", func(t *testing.T) {
		refused(t, row.send(t, w, row.method, request{params: map[string]string{"file": "no-such-secret.ics"}}), http.StatusNotFound)
	})
	t.Run("stranger", func(t *testing.T) {
		r := row.send(t, w, row.method, request{params: map[string]string{"file": w.calendarFile(t, w.b)}})
		succeeded(t, r)
		holdsNone(t, r, "B A's", w.strangerMarks)
	})
	t.Run("revoked", func(t *testing.T) {
		old := w.calendarFile(t, w.a)
		w.calendarFile(t, w.a)
		refused(t, row.send(t, w, row.method, request{params: map[string]string{"file": old}}), http.StatusNotFound)
	})
	t.Run("own", func(t *testing.T) {
		succeeded(t, row.send(t, w, row.method, request{params: map[string]string{"file": w.calendarFile(t, w.a)}}))
	})
}

// checkCitizenSelf: a route of the session's own data. B's answer holds nothing of A's and B's
// writes change nothing of A's; R's (acting for A) and R2's (the same fullmakt, as themself) hold
// nothing of A's outside the fullmakt's areas and change nothing of A's.
func (row authzRoute) checkCitizenSelf(t *testing.T, w *authzWorld) {
	row.checkNoCredentials(t, w, nil)
	stranger, rep, repSelf, owner := w.b, w.rep, w.repSelf, w.a
	if row.fresh {
		stranger, rep, owner = w.freshActor(t, "a new B"), w.freshRepresentative(t, true), w.freshActor(t, "a new A")
		repSelf = w.freshRepresentative(t, false)
	}
	row.checkCSRF(t, w, owner, nil)
	ofA := func(actor *actor) func(t *testing.T) digest {
		return func(t *testing.T) digest { return w.digestOf(t, w.a.person.ID, actor.person.ID) }
	}
	t.Run("stranger", func(t *testing.T) {
		unchanged(t, "B's request: A's data", ofA(stranger), func() {
			r := row.send(t, w, row.method, request{who: stranger})
			if !unsafe(row.method) {
				succeeded(t, r)
			}
			holdsNone(t, r, "B A's", w.strangerMarks)
		})
	})
	for _, r := range []*actor{rep, repSelf} {
		t.Run(r.name+" outside the fullmakt", func(t *testing.T) {
			unchanged(t, r.name+"'s request: A's data", ofA(r), func() {
				resp := row.send(t, w, row.method, request{who: r})
				if !unsafe(row.method) {
					succeeded(t, resp)
				}
				holdsNone(t, resp, r.name+" (health only) A's", w.scopeMarks)
			})
		})
	}
	t.Run("own", func(t *testing.T) { succeeded(t, row.send(t, w, row.method, request{who: owner})) })
	if row.live {
		row.checkLiveEvents(t, w)
	}
}

// checkCitizenObject: a route naming one of A's objects. B asking for it is 404 (another's object
// is not found, exactly as a missing one) and changes nothing, as are R and R2 outside the
// fullmakt; A succeeds.
func (row authzRoute) checkCitizenObject(t *testing.T, w *authzWorld) {
	params := map[string]string{"id": w.objects[row.object]}
	owner := w.a
	if row.object == objPerson { // "act as A": R may, B may not
		owner = w.rep
	}
	row.checkNoCredentials(t, w, params)
	row.checkCSRF(t, w, owner, params)
	var foreign *apptest.Response
	t.Run("stranger asks for A's "+string(row.object), func(t *testing.T) {
		unchanged(t, "B's request for A's "+string(row.object), w.wholeDigest, func() {
			foreign = row.send(t, w, row.method, request{who: w.b, params: params})
			refused(t, foreign, http.StatusNotFound)
		})
	})
	if row.object != objPerson {
		for _, r := range []*actor{w.rep, w.repSelf} {
			t.Run(r.name+" outside the fullmakt", func(t *testing.T) {
				unchanged(t, r.name+"'s request for A's "+string(row.object), w.wholeDigest, func() {
					refused(t, row.send(t, w, row.method, request{who: r, params: params}), http.StatusNotFound)
				})
			})
		}
		t.Run("a missing id, no id, or A's id in capitals answer alike", func(t *testing.T) {
			for _, id := range []string{store.NewID(), "not-an-id", strings.ToUpper(w.objects[row.object])} {
				none := row.send(t, w, row.method, request{who: w.b, params: map[string]string{"id": id}})
				refused(t, none, http.StatusNotFound)
				if foreign != nil && problemOf(t, foreign) != problemOf(t, none) {
					t.Errorf("another's %s answers %+v, %q %+v: the answer tells them apart", row.object, problemOf(t, foreign), id, problemOf(t, none))
				}
			}
		})
	}
	// The owner's request carries an Idempotency-Key; B sending the same key gets no replay of it.
	key := http.Header{"Idempotency-Key": {"authz-" + store.NewID()}}
	t.Run("own", func(t *testing.T) {
		succeeded(t, row.send(t, w, row.method, request{who: owner, params: params, header: key}))
	})
	if unsafe(row.method) {
		t.Run("stranger replays A's Idempotency-Key", func(t *testing.T) {
			unchanged(t, "B's replay of A's key", w.wholeDigest, func() {
				r := row.send(t, w, row.method, request{who: w.b, params: params, header: key})
				refused(t, r, http.StatusNotFound)
				if r.Header.Get("Idempotency-Replayed") != "" {
					t.Errorf("B got A's stored answer")
				}
			})
		})
	}
}

// problemOf is the part of a problem that must not tell "another's" from "missing".
func problemOf(t *testing.T, r *apptest.Response) [3]string {
	t.Helper()
	var p struct{ Code, Title, Detail string }
	_ = json.Unmarshal(r.Body, &p)
	return [3]string{p.Code, p.Title, p.Detail}
}

// checkEditor: a console route. Without the role for the slug in the path it is 403, an unknown
// agency 404, another agency's tile under one's own slug 404; the editor of X succeeds on X.
func (row authzRoute) checkEditor(t *testing.T, w *authzWorld) {
	idX, idY := w.tileX, w.tileY // the object a console route names: a tile, or a rule
	if strings.Contains(row.path, "/rules/:id") {
		idX, idY = w.ruleX, w.ruleY
	}
	own := map[string]string{"slug": w.x.slug, "id": idX}
	row.checkNoCredentials(t, w, own)
	row.checkCSRF(t, w, w.editor, own)
	refusals := []struct {
		name   string
		who    *actor
		params map[string]string
		status int
	}{
		{"citizen without the role", w.b, own, http.StatusForbidden},
		{"editor of X in Y's console", w.editor, map[string]string{"slug": w.y.slug, "id": idY}, http.StatusForbidden},
		{"editor of X in an unknown agency", w.editor, map[string]string{"slug": "no-such-agency", "id": idX}, http.StatusNotFound},
		{"editor of X names Y's tile", w.editor, map[string]string{"slug": w.x.slug, "id": idY}, http.StatusNotFound},
		{"editor of X names no tile", w.editor, map[string]string{"slug": w.x.slug, "id": "not-an-id"}, http.StatusNotFound},
		{"representative acting for A", w.rep, own, http.StatusForbidden},
	}
	for _, c := range refusals {
		if c.params["slug"] == w.x.slug && c.params["id"] != idX && !hasParam(row.path, "id") {
			continue // the route names no tile
		}
		t.Run(c.name, func(t *testing.T) {
			unchanged(t, c.name, w.wholeDigest, func() {
				refused(t, row.send(t, w, row.method, request{who: c.who, params: c.params}), c.status)
			})
		})
	}
	t.Run("own", func(t *testing.T) {
		succeeded(t, row.send(t, w, row.method, request{who: w.editor, params: own}))
		// Publishing, changing or unpublishing a rule queues its sweep; let it end here, or it
		// writes suggestions between the next row's digests.
		w.p.Settle(t)
	})
}

// checkTranslator: a translator console route. Without a translator role 403; the translator of
// nn in en 403; in nn a success.
func (row authzRoute) checkTranslator(t *testing.T, w *authzWorld) {
	own := map[string]string{"lang": translatorLang, "id": "ui.nav.overview"}
	row.checkNoCredentials(t, w, own)
	row.checkCSRF(t, w, w.translator, own)
	t.Run("citizen without the role", func(t *testing.T) {
		unchanged(t, "B's request", w.wholeDigest, func() {
			refused(t, row.send(t, w, row.method, request{who: w.b, params: own}), http.StatusForbidden)
		})
	})
	if hasParam(row.path, "lang") {
		t.Run("translator of nn in en", func(t *testing.T) {
			unchanged(t, "the translator's request for en", w.wholeDigest, func() {
				other := map[string]string{"lang": foreignLanguage, "id": "ui.nav.overview"}
				refused(t, row.send(t, w, row.method, request{who: w.translator, params: other}), http.StatusForbidden)
			})
		})
	}
	t.Run("own", func(t *testing.T) { succeeded(t, row.send(t, w, row.method, request{who: w.translator, params: own})) })
}

func hasParam(pattern, name string) bool {
	return strings.Contains(pattern+"/", "/:"+name+"/")
}

// agencyClient is a client that sends key as its bearer key ("" for none).
func (w *authzWorld) agencyClient(t *testing.T, key string) *apptest.Client {
	t.Helper()
	c := w.p.Anonymous(t)
	if key != "" {
		c.Header.Set("Authorization", "Bearer "+key)
	}
	return c
}

// checkAgencyKey: without a key, or with one the portal never issued, 401 with WWW-Authenticate.
func (row authzRoute) checkAgencyKey(t *testing.T, w *authzWorld, params map[string]string) {
	t.Run("no credentials", func(t *testing.T) {
		unchanged(t, "a request without a valid key", w.wholeDigest, func() {
			for _, key := range []string{"", "ms_00000000_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
				for _, spell := range spellings {
					r := row.send(t, w, row.method, request{client: w.agencyClient(t, key), params: params, spell: spell})
					refused(t, r, notCredentialed(spell)...)
					if r.StatusCode == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
						t.Errorf("%s %s: 401 without WWW-Authenticate", r.Request.Method, r.Request.URL.Path)
					}
				}
			}
			// A citizen's session (cookie and CSRF token) is no agency key.
			refused(t, row.send(t, w, row.method, request{who: w.a, params: params}), http.StatusUnauthorized)
		})
	})
}

// checkAgencyRecord runs for every record kind: Y reading or deleting X's external id is 404 and
// changes nothing; Y writing it creates Y's own record and leaves X's as it was; X succeeds.
func (row authzRoute) checkAgencyRecord(t *testing.T, w *authzWorld) {
	for _, kind := range []string{"cases", "bookings", "keys", "notifications", "relations", "tiles"} {
		t.Run(kind, func(t *testing.T) {
			params := map[string]string{"kind": kind, "externalId": w.records[kind]}
			row.checkAgencyKey(t, w, params)
			path := "/api/agency/v1/" + kind + "/" + w.records[kind]
			xRecord := func() []byte { return w.x.c.Get(t, path).Status(t, http.StatusOK).Body }
			t.Run("agency Y names X's record", func(t *testing.T) {
				before := xRecord()
				switch row.method {
				case http.MethodPut:
					body := w.recordBody(t, kind)
					r := do(t, w.y.c, http.MethodPut, path, body, nil)
					if kind == "relations" && r.StatusCode == http.StatusForbidden {
						break // an agency without the authority for relations may write none
					}
					var mine, theirs struct{ ID string }
					r.Status(t, http.StatusCreated).JSON(t, &mine)
					_ = json.Unmarshal(before, &theirs)
					if mine.ID == "" || mine.ID == theirs.ID {
						t.Errorf("Y's PUT of X's external id answered X's object %q", mine.ID)
					}
					do(t, w.y.c, http.MethodDelete, path, nil, nil).Status(t, http.StatusNoContent)
				default:
					unchanged(t, "Y's "+row.method+" of X's record", w.wholeDigest, func() {
						refused(t, row.send(t, w, row.method, request{client: w.y.c, params: params}), http.StatusNotFound)
					})
				}
				if after := xRecord(); !bytes.Equal(before, after) {
					t.Errorf("X's record changed:\n%s\n%s", before, after)
				}
			})
			t.Run("own", func(t *testing.T) {
				own := map[string]string{"kind": kind, "externalId": w.records[kind]}
				if row.method != http.MethodGet { // write and delete a record of X's own, not the fixture
					own["externalId"] = "own-" + kind
				}
				if row.method == http.MethodDelete {
					do(t, w.x.c, http.MethodPut, fill(t, row.path, own), w.recordBody(t, kind), nil).Status(t, http.StatusCreated)
				}
				if row.method == http.MethodPut {
					r := do(t, w.x.c, http.MethodPut, fill(t, row.path, own), w.recordBody(t, kind), nil)
					succeeded(t, r)
					do(t, w.x.c, http.MethodDelete, fill(t, row.path, own), nil, nil).Status(t, http.StatusNoContent)
					return
				}
				succeeded(t, row.send(t, w, row.method, request{client: w.x.c, params: own}))
			})
		})
	}
}

// recordBody is a valid record of the kind, about A (notifications with a dedupe key of their own).
func (w *authzWorld) recordBody(t *testing.T, kind string) map[string]any {
	body := w.recordBodies[kind]
	if body == nil {
		t.Fatalf("no record body for %s", kind)
	}
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	if kind == "notifications" {
		out["dedupeKey"] = "other-" + w.p.Clock.Now().Format("150405.000000")
	}
	return out
}

// checkAgencyBulk: Y's bulk line for X's external id is Y's own record; X's stays as it was.
func (row authzRoute) checkAgencyBulk(t *testing.T, w *authzWorld) {
	row.checkAgencyKey(t, w, nil)
	line := func(ext string) []byte {
		b, err := json.Marshal(map[string]any{"kind": "cases", "externalId": ext, "record": w.recordBody(t, "cases")})
		if err != nil {
			t.Fatal(err)
		}
		return append(b, '\n')
	}
	bulk := func(t *testing.T, c *apptest.Client, ext string, header http.Header) {
		t.Helper()
		r := do(t, c, http.MethodPost, row.path, line(ext), header)
		succeeded(t, r)
		if r.Header.Get("Idempotent-Replayed") != "" || r.Header.Get("Idempotency-Replayed") != "" {
			t.Errorf("bulk answered with a replay: %v", r.Header)
		}
		var res struct{ Status int }
		if err := json.Unmarshal(r.Body, &res); err != nil || res.Status != http.StatusCreated {
			t.Errorf("bulk line: %s (%v), want status 201", r.Body, err)
		}
		do(t, c, http.MethodDelete, "/api/agency/v1/cases/"+ext, nil, nil).Status(t, http.StatusNoContent)
	}
	t.Run("agency Y names X's record", func(t *testing.T) {
		path := "/api/agency/v1/cases/" + w.records["cases"]
		before := w.x.c.Get(t, path).Status(t, http.StatusOK).Body
		bulk(t, w.y.c, w.records["cases"], nil)
		if after := w.x.c.Get(t, path).Status(t, http.StatusOK).Body; !bytes.Equal(before, after) {
			t.Errorf("X's record changed:\n%s\n%s", before, after)
		}
	})
	key := http.Header{"Idempotency-Key": {"authz-" + store.NewID()}}
	t.Run("own", func(t *testing.T) { bulk(t, w.x.c, "own-bulk", key) })
	t.Run("agency Y sends X's Idempotency-Key", func(t *testing.T) { bulk(t, w.y.c, "own-bulk", key) })
}

// checkAgencyList runs for every record kind: Y's list never holds X's records; X's holds its own.
func (row authzRoute) checkAgencyList(t *testing.T, w *authzWorld) {
	for _, kind := range []string{"cases", "bookings", "keys", "notifications", "relations", "tiles"} {
		t.Run(kind, func(t *testing.T) {
			params := map[string]string{"kind": kind}
			row.checkAgencyKey(t, w, params)
			listed := func(c *apptest.Client) []string {
				var page struct {
					Records []struct {
						ExternalID string `json:"externalId"`
					} `json:"records"`
				}
				r := do(t, c, http.MethodGet, "/api/agency/v1/"+kind+"?limit=100", nil, nil)
				succeeded(t, r)
				if err := json.Unmarshal(r.Body, &page); err != nil {
					t.Fatalf("list %s: %v", kind, err)
				}
				var ids []string
				for _, rec := range page.Records {
					ids = append(ids, rec.ExternalID)
				}
				return ids
			}
			t.Run("agency Y lists nothing of X's", func(t *testing.T) {
				if slices.Contains(listed(w.y.c), w.records[kind]) {
					t.Errorf("Y's list of %s holds X's record %s", kind, w.records[kind])
				}
			})
			t.Run("own", func(t *testing.T) {
				if !slices.Contains(listed(w.x.c), w.records[kind]) {
					t.Errorf("X's list of %s lacks its record %s", kind, w.records[kind])
				}
			})
		})
	}
}

// checkAgencySelf: only a key reaches it; each agency acts on its own settings (Y has no webhook
// URL, so Y's ping is refused as a conflict, never sent to X's receiver).
func (row authzRoute) checkAgencySelf(t *testing.T, w *authzWorld) {
	row.checkAgencyKey(t, w, nil)
	t.Run("agency Y pings its own (unset) receiver", func(t *testing.T) {
		refused(t, do(t, w.y.c, row.method, row.path, nil, nil), http.StatusConflict)
	})
}
