package account

import (
	"strings"

	"minside/backend/internal/audit"
)

// Translator localizes message keys for a language; the i18n bundle implements it.
type Translator interface {
	Translate(lang, id string, data map[string]any) string
}

// Who an entry is seen by: the person the data is about, the person who did it for someone else,
// or the person who did something to their own account.
type perspective int

const (
	aboutMe perspective = iota // someone else (an agency, a representative, an editor) did it to me
	byMe                       // I did it for someone else, or as an agency editor
	myOwn                      // I did it to my own account
)

// ownPhrases are the citizen's own account actions.
var ownPhrases = map[string]string{
	audit.ActionLogin:       "audit.own.login",
	audit.ActionLoginFailed: "audit.own.login_failed",
	audit.ActionLogout:      "audit.own.logout",
	audit.ActionExport:      "audit.own.export",
	audit.ActionClosed:      "audit.own.closed",
	// A person's choices about their own suggestions.
	audit.ActionSuggestionDismiss:   "audit.own.suggestion_dismiss",
	audit.ActionSuggestionSnooze:    "audit.own.suggestion_snooze",
	audit.ActionSuggestionDone:      "audit.own.suggestion_done",
	audit.ActionSuggestionAct:       "audit.own.suggestion_act",
	audit.ActionDocumentAcknowledge: "audit.own.document_acknowledge",
}

// representativePhrases are what a representative does for someone; the key gets "_for" when the
// reader is the representative. Every read is one phrase naming what was read.
var representativePhrases = map[string]string{
	audit.ActionActAsStart:          "audit.rep.act_as_start",
	audit.ActionActAsEnd:            "audit.rep.act_as_end",
	audit.ActionReadOverview:        "audit.rep.read",
	audit.ActionReadCases:           "audit.rep.read",
	audit.ActionReadCase:            "audit.rep.read",
	audit.ActionReadErrand:          "audit.rep.read",
	audit.ActionReadBookings:        "audit.rep.read",
	audit.ActionReadKeys:            "audit.rep.read",
	audit.ActionReadNotifications:   "audit.rep.read",
	audit.ActionReadSearch:          "audit.rep.read",
	audit.ActionReadChanges:         "audit.rep.read",
	audit.ActionRead:                "audit.rep.read",
	audit.ActionBookingCancel:       "audit.rep.booking_cancel",
	audit.ActionNotificationRead:    "audit.rep.notification_read",
	audit.ActionNotificationReadAll: "audit.rep.notifications_read_all",
	audit.ActionKeyOpen:             "audit.rep.key_open",
	audit.ActionSuggestionDismiss:   "audit.rep.suggestion_dismiss",
	audit.ActionSuggestionSnooze:    "audit.rep.suggestion_snooze",
	audit.ActionSuggestionDone:      "audit.rep.suggestion_done",
	audit.ActionSuggestionAct:       "audit.rep.suggestion_act",
	audit.ActionMessageSend:         "audit.rep.message_send",
	audit.ActionDocumentAcknowledge: "audit.rep.document_acknowledge",
}

// systemPhrases are what the portal itself does with a person's data, seen by that person.
var systemPhrases = map[string]string{
	audit.ActionSuggestionMade:      "audit.system.suggestion_made",
	audit.ActionSuggestionWithdrawn: "audit.system.suggestion_withdrawn",
}

// whatKeys name the kind of data an entry is about, as a word.
var whatKeys = map[string]string{
	"case": "audit.what.case", "booking": "audit.what.booking", "key": "audit.what.key",
	"notification": "audit.what.notification", "relation": "audit.what.relation", "tile": "audit.what.tile",
	"rule": "audit.what.rule", "errand": "audit.what.errand", "overview": "audit.what.overview", "suggestion": "audit.what.suggestion", "search": "audit.what.search", "changes": "audit.what.changes",
	"task": "audit.what.task", "draft": "audit.what.draft", "document": "audit.what.document",
	"message": "audit.what.message", "report": "audit.what.report",
}

// Generic phrases for an action the list of phrases does not know: never a code.
const (
	genericAboutMe = "audit.generic.about_me"
	genericByMe    = "audit.generic.by_me"
	genericMyOwn   = "audit.generic.own"
)

// phraseKey chooses the message for an action seen from a perspective; needsWhat says that the
// phrase names the kind of data ({{.What}}).
func phraseKey(action, actorKind string, p perspective) (key string, needsWhat bool) {
	if k, ok := ownPhrases[action]; ok && p == myOwn {
		return k, false
	}
	if action == audit.ActionNoticeSend && p == byMe {
		return "audit.editor.notice_send", false
	}
	verb := action
	if rest, ok := strings.CutPrefix(action, "console."); ok { // an editor in the agency console
		verb = rest[strings.LastIndex(rest, ".")+1:]
		if p == byMe {
			return editorVerb(verb)
		}
		actorKind = audit.ActorAgency // the citizen sees it as the agency's doing
	}
	switch actorKind {
	case audit.ActorSystem:
		if k, ok := systemPhrases[action]; ok && p == aboutMe {
			return k, false
		}
	case audit.ActorAgency:
		if p == aboutMe && (verb == audit.ActionRead || verb == audit.ActionWrite || verb == audit.ActionDelete) {
			return "audit.agency." + verb, true
		}
	case audit.ActorRepresentative:
		if k, ok := representativePhrases[action]; ok && p != myOwn {
			if p == byMe {
				k += "_for"
			}
			return k, k == "audit.rep.read" || k == "audit.rep.read_for"
		}
	}
	switch p {
	case aboutMe:
		return genericAboutMe, false
	case byMe:
		return genericByMe, false
	}
	return genericMyOwn, false
}

func editorVerb(verb string) (string, bool) {
	switch verb {
	case audit.ActionRead, audit.ActionWrite, audit.ActionDelete:
		return "audit.editor." + verb, true
	}
	return genericByMe, false
}

// phrase is the entry in words, in lang: who did what to whose data.
func (s *Service) phrase(lang string, e Entry, objectKind string, agencyName string) string {
	p := aboutMe
	if e.Actor.Me {
		p = byMe
		if _, own := ownPhrases[e.Action]; own && e.Subject == nil {
			p = myOwn
		}
	}
	key, needsWhat := phraseKey(e.Action, e.Actor.Kind, p)
	data := map[string]any{"Actor": s.actorWords(lang, e.Actor), "Agency": agencyName}
	if e.Subject != nil {
		data["Subject"] = e.Subject.Name
	}
	if agencyName != "" && strings.HasPrefix(e.Action, "console.") && p == aboutMe {
		data["Actor"] = agencyName
	}
	if needsWhat {
		wk, ok := whatKeys[objectKind]
		if !ok {
			key, _ = phraseKey("", e.Actor.Kind, p)
		} else {
			data["What"] = s.tr.Translate(lang, wk, nil)
		}
	}
	if sent, ok := e.Detail["sent"]; ok {
		data["Sent"] = sent
	}
	if why, ok := e.Detail["why"]; ok {
		data["Why"] = why
	}
	return s.tr.Translate(lang, key, data)
}

// actorWords is the actor's name, with the relation through which a representative acted.
func (s *Service) actorWords(lang string, a Party) string {
	name := a.Name
	if name == "" {
		name = s.tr.Translate(lang, "audit.someone", nil)
	}
	if a.Role != "" {
		name += " (" + s.tr.Translate(lang, "ui.people.relation."+a.Role, nil) + ")"
	}
	return name
}

// PhraseKeys lists every message the access log can use, so a test can prove each exists in every
// language.
func PhraseKeys() []string {
	keys := []string{genericAboutMe, genericByMe, genericMyOwn, "audit.someone", "audit.editor.notice_send"}
	for _, k := range ownPhrases {
		keys = append(keys, k)
	}
	for _, k := range representativePhrases {
		keys = append(keys, k, k+"_for")
	}
	for _, v := range []string{audit.ActionRead, audit.ActionWrite, audit.ActionDelete} {
		keys = append(keys, "audit.agency."+v, "audit.editor."+v)
	}
	for _, k := range systemPhrases {
		keys = append(keys, k)
	}
	for _, k := range whatKeys {
		keys = append(keys, k)
	}
	return keys
}
