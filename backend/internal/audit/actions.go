package audit

import (
	"fmt"
	"slices"
)

// Actions the portal writes to the log. This is the one list: Record refuses any other action, and
// the access log (package account) has words for each, which a test checks in every language.
const (
	// The citizen's own account.
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLogout      = "logout"
	ActionExport      = "account.export"
	ActionClosed      = "account.closed"

	// A representative (guardian, power of attorney) acting for someone.
	ActionActAsStart          = "act_as_start"
	ActionActAsEnd            = "act_as_end"
	ActionReadOverview        = "read.overview"
	ActionReadCases           = "read.cases"
	ActionReadCase            = "read.case"
	ActionReadErrand          = "read.errand"
	ActionReadBookings        = "read.bookings"
	ActionReadKeys            = "read.keys"
	ActionReadNotifications   = "read.notifications"
	ActionReadSearch          = "read.search"
	ActionReadChanges         = "read.changes"
	ActionBookingCancel       = "booking.cancel"
	ActionNotificationRead    = "notification.read"
	ActionNotificationReadAll = "notification.read_all"
	ActionKeyOpen             = "key.open"
	ActionDocumentAcknowledge = "document.acknowledge"

	// An agency through its API (actor kind agency) or a representative's read of one object
	// (actor kind representative): read, write or delete of one object.
	ActionRead   = "read"
	ActionWrite  = "write"
	ActionDelete = "delete"

	// An agency editor in the console (actor kind citizen, the editor; detail.agencyId the agency).
	ActionNoticeSend = "console.notice.send"

	// Proactive suggestions: the portal (actor kind system; detail ruleId, agencyId and why, the
	// filled-in why-text) made or withdrew one from what an agency holds about the person.
	ActionSuggestionMade      = "suggestion.made"
	ActionSuggestionWithdrawn = "suggestion.withdrawn"
	// A person's (or their representative's) choices about a suggestion.
	ActionSuggestionDismiss = "suggestion.dismiss"
	ActionSuggestionSnooze  = "suggestion.snooze"
	ActionSuggestionDone    = "suggestion.done"
	ActionSuggestionAct     = "suggestion.act"

	// A representative wrote a message for the person on one of their cases.
	ActionMessageSend = "message.send"
)

// ConsoleObjectKinds are the kinds of record an editor can read, write or delete in the console.
var ConsoleObjectKinds = []string{"case", "booking", "key", "notification", "relation", "tile", "rule"}

// ConsoleAction names an editor's read, write or delete of one kind of record in the console.
func ConsoleAction(objectKind, action string) string { return "console." + objectKind + "." + action }

// Actions lists every action Record accepts.
func Actions() []string {
	out := []string{ActionLogin, ActionLoginFailed, ActionLogout, ActionExport, ActionClosed,
		ActionActAsStart, ActionActAsEnd, ActionReadOverview, ActionReadCases, ActionReadCase, ActionReadErrand, ActionReadBookings,
		ActionReadKeys, ActionReadNotifications, ActionReadSearch, ActionReadChanges, ActionBookingCancel,
		ActionNotificationRead, ActionNotificationReadAll, ActionKeyOpen, ActionRead, ActionWrite, ActionDelete,
		ActionNoticeSend, ActionSuggestionMade, ActionSuggestionWithdrawn,
		ActionSuggestionDismiss, ActionSuggestionSnooze, ActionSuggestionDone, ActionSuggestionAct, ActionMessageSend,
		ActionDocumentAcknowledge}
	for _, kind := range ConsoleObjectKinds {
		for _, a := range []string{ActionRead, ActionWrite, ActionDelete} {
			out = append(out, ConsoleAction(kind, a))
		}
	}
	return out
}

// Known reports whether action is in the list.
func Known(action string) bool { return slices.Contains(Actions(), action) }

func checkAction(action string) error {
	if !Known(action) {
		return fmt.Errorf("audit: action %q is not in audit.Actions", action)
	}
	return nil
}
