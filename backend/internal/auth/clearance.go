package auth

// Cleared reports whether a login at level acr may see what agencies mark sensitive: it meets the
// step-up level (MINSIDE_STEP_UP_ACR; "" requires none).
func Cleared(acr, stepUp string) bool {
	return stepUp == "" || ACRSatisfies(acr, stepUp)
}

// Withholds is the one rule for sensitive content, for every kind of item (tasks, drafts, cases,
// documents, messages): a login below the step-up level sees that the item exists (its agency, its
// date, a neutral title) but not what it says, and is offered the step-up login.
func Withholds(sensitive, cleared bool) bool {
	return sensitive && !cleared
}
