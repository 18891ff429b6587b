package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/citizens"
	"minside/backend/internal/console"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/texts"
	"minside/backend/internal/translate"
)

// authzWorld is the portal the authorization table runs on: two citizens A (the owner of every
// object) and B (a stranger to A), a representative R acting for A with a power of attorney for
// health only, two agencies X and Y with API keys, an editor of X, and a translator of nn. A's
// objects are written by agency X through the real agency API.
type authzWorld struct {
	p    *apptest.Portal
	push *pushtest.Server

	a, b, rep, editor, translator *actor
	repSelf                       *actor // has the same fullmakt as R but acts as themself
	x, y                          *agencyActor

	objects map[objectKind]string // A's object ids by kind (the portal's ids)
	health  string                // A's health case: inside R's fullmakt, so R may read it
	access  string                // the portal id of the door of A's key
	tileX   string                // X's tile (portal id)
	tileY   string                // Y's tile
	ruleX   string                // X's rule (portal id)
	ruleY   string                // Y's rule
	records map[string]string     // kind → the external id of X's record of that kind

	recordBodies map[string]map[string]any // kind → the body of X's record of that kind

	// strangerMarks are strings no answer to B may hold: A's id and name, every id and title of
	// A's objects. scopeMarks are those no answer to R (acting for A, health only) may hold: the
	// ids and titles of A's objects outside health.
	strangerMarks, scopeMarks []string

	fresh int // people made by freshActor so far
	// cursors are where each person's changes feed stood before any of A's objects existed, so
	// the feed asked from there carries every one of them that the person may see.
	cursors map[*actor]string

	ideaObjects *ideaWorld // made on first use (authz_ideas_test.go)
}

// actor is a logged-in person.
type actor struct {
	name   string
	pid    string
	person *citizens.Citizen
	c      *apptest.Client
}

// agencyActor is an agency with an API key, and a client that sends it.
type agencyActor struct {
	slug, key string
	c         *apptest.Client
}

// objectKind names what a citizen route's id refers to.
type objectKind string

const (
	objCase         objectKind = "case"
	objBooking      objectKind = "booking"
	objKey          objectKind = "key"
	objNotification objectKind = "notification"
	objPushDevice   objectKind = "push subscription"
	objPerson       objectKind = "person" // a person one may act for (PUT /me/acting-as)
	objSuggestion   objectKind = "suggestion"
	objTask         objectKind = "task"
	objAttachment   objectKind = "attachment" // of A's message on the building case
	objMessage      objectKind = "message"    // A's message on the building case (the id X's webhook names)
	objErrand       objectKind = "errand"
	objDocument     objectKind = "document" // a case document to acknowledge
)

const (
	aName           = "Aksel Aalesund"
	aBuildingTitle  = "Garasjesøknad Aalesund"
	aHealthTitle    = "Hjemmetjeneste Aalesund"
	aBookingTitle   = "Øvingsrom Aalesund"
	aFacility       = "Bibliotek Aalesund"
	aNoteTitle      = "Påminnelse Aalesund"
	aSuggestion     = "Forslag Aalesund"
	aTaskTitle      = "Oppgave Aalesund"
	aErrandTitle    = "Garasjeærend Aalesund"
	aDocumentName   = "Vedtaksbrev Aalesund"
	translatorLang  = "nn" // the translator's language
	foreignLanguage = "en" // a language the translator may not touch
)

func newAuthzWorld(t *testing.T, p *apptest.Portal, push *pushtest.Server) *authzWorld {
	t.Helper()
	w := &authzWorld{p: p, push: push, objects: map[objectKind]string{}, records: map[string]string{},
		recordBodies: map[string]map[string]any{}}
	w.a = w.login(t, "A", apptest.PID(t, 1958, 40))
	w.b = w.login(t, "B", apptest.PID(t, 1962, 41))
	w.rep = w.login(t, "R (acting for A)", apptest.PID(t, 1970, 42))
	w.repSelf = w.login(t, "R2 (as themself)", apptest.PID(t, 1971, 47))
	w.editor = w.login(t, "editor of X", apptest.PID(t, 1975, 43))
	w.translator = w.login(t, "translator of nn", apptest.PID(t, 1980, 44))
	w.rename(t, w.a.person, aName)
	// R acts for A with a fullmakt for health: A's health case is R's to read, nothing else is.
	// R2 holds the same fullmakt and acts as themself.
	p.Relation(t, represent.KindPowerOfAttorney, w.rep.person, w.a.person, []string{"health"}, nil)
	p.Relation(t, represent.KindPowerOfAttorney, w.repSelf.person, w.a.person, []string{"health"}, nil)
	actAs(t, w.rep.c, w.a.person.ID, http.StatusOK)
	w.cursors = map[*actor]string{}
	for _, who := range []*actor{w.a, w.b, w.rep, w.repSelf} {
		w.cursors[who] = w.overviewCursor(t, who)
	}
	// X writes the power of attorney R acts by, so it needs that authority; Y has none.
	w.x, w.y = w.agency(t, "etat-x", represent.KindPowerOfAttorney), w.agency(t, "etat-y")
	w.grant(t, w.editor.person, console.RoleEditor, w.x.slug)
	w.grant(t, w.translator.person, translate.RoleTranslator, translatorLang)

	w.records = map[string]string{"cases": "a-building", "bookings": "a-booking", "keys": "a-key",
		"notifications": "a-note", "relations": "x-relation", "tiles": "x-tile", "tasks": "a-task", "drafts": "a-draft"}

	now := p.Clock.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	put := func(ag *agencyActor, kind, ext string, rec map[string]any) string {
		t.Helper()
		if ag == w.x && w.records[kind] == ext {
			w.recordBodies[kind] = rec
		}
		var out struct{ ID string }
		ag.c.Send(t, http.MethodPut, "/api/agency/v1/"+kind+"/"+ext, rec).Status(t, http.StatusCreated).JSON(t, &out)
		return out.ID
	}
	w.objects[objCase] = put(w.x, "cases", "a-building", caseRec(w.a.pid, "building", aBuildingTitle))
	w.health = put(w.x, "cases", "a-health", caseRec(w.a.pid, "health", aHealthTitle))
	// An errand of A in building, which R's fullmakt for health does not cover.
	w.objects[objErrand] = put(w.x, "errands", "a-errand", map[string]any{"pid": w.a.pid,
		"title": map[string]string{"nb": aErrandTitle}, "area": "building", "version": 1})
	w.objects[objBooking] = put(w.x, "bookings", "a-booking", bookingRec(w.a.pid, aBookingTitle, at))
	w.objects[objKey] = put(w.x, "keys", "a-key", keyRec(w.a.pid, aFacility, at))
	w.objects[objNotification] = put(w.x, "notifications", "a-note", noteRec(w.a.pid, aNoteTitle, "a-note"))
	w.objects[objTask] = put(w.x, "tasks", "a-task", map[string]any{"pid": w.a.pid, "area": "building", "title": map[string]string{"nb": aTaskTitle},
		"dueAt": at(96 * time.Hour), "status": "open", "version": 1})
	put(w.x, "drafts", "a-draft", map[string]any{"pid": w.a.pid, "area": "building", "title": map[string]string{"nb": aTaskTitle},
		"link": "https://etat.example.no/utkast/1", "expiresAt": at(96 * time.Hour), "status": "open", "version": 1})
	docCase := caseRec(w.a.pid, "building", aBuildingTitle)
	docCase["documents"] = []map[string]any{{"externalId": "a-doc", "name": aDocumentName, "url": "https://etat.example.no/d/1.pdf", "requires": "acknowledge"}}
	docCaseID := put(w.x, "cases", "a-doc-case", docCase)
	var docID string
	if err := p.DB.NewSelect().Table("case_documents").Column("id").Where("case_id = ?", docCaseID).Scan(t.Context(), &docID); err != nil {
		t.Fatal(err)
	}
	w.objects[objDocument] = docID
	// B has objects of the same kinds, so B's lists and bulk actions have something to act on.
	put(w.x, "cases", "b-case", caseRec(w.b.pid, "building", "Tilbygg B"))
	put(w.x, "bookings", "b-booking", bookingRec(w.b.pid, "Møterom B", at))
	put(w.x, "notifications", "b-note", noteRec(w.b.pid, "Melding B", "b-note"))
	// A relation record of X between two people outside this story (agency rows only need it to
	// exist). Once relations need an authority, X must be given the one for powers of attorney.
	put(w.x, "relations", "x-relation", map[string]any{"kind": represent.KindPowerOfAttorney,
		"representativePid": apptest.PID(t, 1990, 45), "representativeName": "Eva", "subjectPid": apptest.PID(t, 1991, 46),
		"subjectName": "Frode", "scopes": []string{"health"}, "validFrom": at(-time.Hour), "version": 1})
	w.tileX = put(w.x, "tiles", "x-tile", tileRec("Flis X"))
	w.tileY = put(w.y, "tiles", "y-tile", tileRec("Flis Y"))
	w.ruleX = put(w.x, "rules", "x-rule", ruleRec("Regel X"))
	w.ruleY = put(w.y, "rules", "y-rule", ruleRec("Regel Y"))
	// A suggestion of X's rule for A, in an area R's fullmakt does not cover.
	var xID string
	if err := p.DB.NewSelect().Table("agencies").Column("id").Where("slug = ?", w.x.slug).Scan(t.Context(), &xID); err != nil {
		t.Fatal(err)
	}
	rule := suggesttest.AddRule(t, p.DB, suggesttest.Rule{AgencyID: xID, Area: "building", Texts: texts.Fields{"title": {"nb": aSuggestion}}}, now)
	w.objects[objSuggestion] = suggesttest.AddSuggestion(t, p.DB, rule, w.a.person.ID, nil, now)
	var keyList struct {
		Items []struct {
			ID           string
			AccessPoints []struct{ ID string }
		}
	}
	w.a.c.Get(t, "/api/v1/keys").Status(t, http.StatusOK).JSON(t, &keyList)
	if len(keyList.Items) != 1 || keyList.Items[0].ID != w.objects[objKey] || len(keyList.Items[0].AccessPoints) != 1 {
		t.Fatalf("fixture: A's keys = %+v", keyList.Items)
	}
	w.access = keyList.Items[0].AccessPoints[0].ID

	var device struct{ ID string }
	sub := json.RawMessage(pushtest.BrowserJSON(push.NewSubscriber()))
	w.a.c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", sub).Status(t, http.StatusCreated).JSON(t, &device)
	w.objects[objPushDevice] = device.ID
	w.objects[objPerson] = w.a.person.ID

	w.rep.c.Get(t, "/api/v1/cases/"+w.health).Status(t, http.StatusOK) // the fullmakt's area: R may read it

	// A's message with an attachment on the building case (outside R's fullmakt).
	var msg struct {
		ID          string
		Attachments []struct{ ID string }
	}
	postMessage(t, w.a.c, w.objects[objCase], "Spørsmål fra Aalesund", [2]string{"a.pdf", "%PDF-1.7\nA\n"}).Status(t, http.StatusCreated).JSON(t, &msg)
	w.objects[objMessage], w.objects[objAttachment] = msg.ID, msg.Attachments[0].ID
	w.addReports(t) // A's report (with a photo) on X's service, and an anonymous one

	w.scopeMarks = []string{w.objects[objCase], w.objects[objBooking], w.objects[objKey], w.objects[objNotification],
		w.objects[objPushDevice], w.objects[objSuggestion], w.objects[objTask], w.objects[objMessage], w.objects[objAttachment],
		w.objects[objErrand], w.objects[objDocument], aErrandTitle, w.access, aBuildingTitle, aBookingTitle, aFacility, aNoteTitle, aSuggestion,
		aTaskTitle, aDocumentName}
	w.strangerMarks = append([]string{w.a.person.ID, aName, w.health, aHealthTitle}, w.scopeMarks...)
	return w
}

func caseRec(pid, area, title string) map[string]any {
	return map[string]any{"pid": pid, "title": map[string]string{"nb": title}, "kind": "application", "area": area,
		"status": "in_progress", "version": 1}
}

func bookingRec(pid, resource string, at func(time.Duration) string) map[string]any {
	return map[string]any{"pid": pid, "resource": map[string]string{"nb": resource}, "place": map[string]string{"name": "Kulturhuset"},
		"startsAt": at(72 * time.Hour), "endsAt": at(74 * time.Hour), "cancellableUntil": at(48 * time.Hour),
		"status": "confirmed", "area": "culture", "version": 1}
}

func keyRec(pid, facility string, at func(time.Duration) string) map[string]any {
	return map[string]any{"pid": pid, "facility": map[string]any{"externalId": "lib", "name": facility,
		"accessPoints": []map[string]string{{"externalId": "front", "name": "Hoveddør"}}},
		"accessPoints": []string{"front"}, "windows": []map[string]string{{"startsAt": at(-30 * time.Minute), "endsAt": at(2 * time.Hour)}},
		"status": "active", "version": 1}
}

func noteRec(pid, title, dedupe string) map[string]any {
	return map[string]any{"pid": pid, "category": "general", "title": map[string]string{"nb": title},
		"body": map[string]string{"nb": "Tekst"}, "dedupeKey": dedupe, "version": 1}
}

func tileRec(title string) map[string]any {
	return map[string]any{"title": map[string]string{"nb": title}, "link": "https://kommune.example.no/flis", "icon": "book",
		"status": "published", "version": 1}
}

func ruleRec(title string) map[string]any {
	return map[string]any{"status": "draft", "category": "care", "area": "care", "appliesTo": "person", "condition": "person.age >= 67",
		"texts":  map[string]any{"title": map[string]string{"nb": title}, "why": map[string]string{"nb": "fordi du er {person.age} år"}},
		"action": map[string]any{"type": "link", "link": "https://kommune.example.no/regel"}, "version": 1}
}

// ruleVersion is the stored version of a rule, for console edits that must name it.
func (w *authzWorld) ruleVersion(t *testing.T, id string) int64 {
	t.Helper()
	var v int64
	if err := w.p.DB.NewSelect().TableExpr("rules").Column("version").Where("id = ?", id).Scan(context.Background(), &v); err != nil {
		t.Fatalf("rule %s: %v", id, err)
	}
	return v
}

func (w *authzWorld) login(t *testing.T, name, number string) *actor {
	t.Helper()
	c := w.p.LoginAs(t, number)
	return &actor{name: name, pid: number, person: me(t, w.p, c), c: c}
}

// freshActor logs in a new person, for routes that end a session or close an account.
func (w *authzWorld) freshActor(t *testing.T, name string) *actor {
	t.Helper()
	w.fresh++
	return w.login(t, name, apptest.PID(t, 1930+w.fresh, 60+w.fresh))
}

// freshRepresentative is a new person with the same health-only fullmakt for A as R, acting for
// A when acting is set, else as themself.
func (w *authzWorld) freshRepresentative(t *testing.T, acting bool) *actor {
	t.Helper()
	r := w.freshActor(t, "a new R")
	w.p.Relation(t, represent.KindPowerOfAttorney, r.person, w.a.person, []string{"health"}, nil)
	if acting {
		actAs(t, r.c, w.a.person.ID, http.StatusOK)
	}
	return r
}

func (w *authzWorld) rename(t *testing.T, c *citizens.Citizen, name string) {
	t.Helper()
	if _, err := w.p.DB.NewUpdate().Model(c).Set("name = ?", name).WherePK().Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Name = name
}

func (w *authzWorld) grant(t *testing.T, c *citizens.Citizen, role, scope string) {
	t.Helper()
	r := &citizens.Role{CitizenID: c.ID, Role: role, Scope: scope, GrantedAt: store.UTC(w.p.Clock.Now())}
	if _, err := w.p.DB.NewInsert().Model(r).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (w *authzWorld) agency(t *testing.T, slug string, authorities ...string) *agencyActor {
	t.Helper()
	_, key, _, err := w.p.App.Agencies.Create(context.Background(), slug, "Etat "+slug, "", authorities...)
	if err != nil {
		t.Fatal(err)
	}
	c := w.p.Anonymous(t)
	c.Header.Set("Authorization", "Bearer "+key.Key)
	return &agencyActor{slug: slug, key: key.Key, c: c}
}

// calendarFile makes a new calendar URL for a (the old one stops working) and returns its file name.
func (w *authzWorld) calendarFile(t *testing.T, a *actor) string {
	t.Helper()
	var out struct{ URL string }
	a.c.Send(t, http.MethodPost, "/api/v1/me/calendar", nil).Status(t, http.StatusCreated).JSON(t, &out)
	u, err := url.Parse(out.URL)
	if err != nil {
		t.Fatal(err)
	}
	return path.Base(u.Path)
}

// tileVersion is the stored version of a tile, for console edits that must name it.
func (w *authzWorld) tileVersion(t *testing.T, id string) int64 {
	t.Helper()
	var v int64
	if err := w.p.DB.NewSelect().TableExpr("tiles").Column("version").Where("id = ?", id).Scan(context.Background(), &v); err != nil {
		t.Fatalf("tile %s: %v", id, err)
	}
	return v
}

// overviewCursor is where a's changes feed starts.
func (w *authzWorld) overviewCursor(t *testing.T, a *actor) string {
	t.Helper()
	var o struct{ Cursor string }
	a.c.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
	return o.Cursor
}

func (a *actor) String() string {
	return fmt.Sprintf("%s (%s)", a.name, strings.TrimSpace(a.person.Name))
}
