// Package auth holds what the identity provider and the login client share: the assurance levels
// (acr) ID-porten issues and their order. The provider for dev lives in auth/devidp, the client in
// auth/login.
package auth

// Assurance levels as ID-porten names them in the acr claim and the acr_values parameter.
const (
	ACRSubstantial = "idporten-loa-substantial" // MinID, and the default for Min side
	ACRHigh        = "idporten-loa-high"        // BankID and others; step-up for sensitive actions
)

// acrRank orders the levels; the older ID-porten names Level3/Level4 map onto the new ones.
var acrRank = map[string]int{
	ACRSubstantial: 1,
	"Level3":       1,
	ACRHigh:        2,
	"Level4":       2,
}

// ACRKnown reports whether acr is a level this package can compare.
func ACRKnown(acr string) bool { _, ok := acrRank[acr]; return ok }

// ACRSatisfies reports whether a login at level got meets the required level. Unknown levels
// satisfy nothing and are satisfied by nothing, so a typo fails closed.
func ACRSatisfies(got, required string) bool {
	g, ok1 := acrRank[got]
	r, ok2 := acrRank[required]
	return ok1 && ok2 && g >= r
}
