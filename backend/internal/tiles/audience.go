package tiles

import (
	"slices"
	"time"
)

// Audience is what targeting looks at for one person: their age and district, the birth dates of
// the children they are guardian of (by represent's rules: represent.Access.ChildrenOf, or the
// overview's people), and the kinds of their open cases (read lazily: most tiles
// do not ask). The overview (what one citizen sees) and the agency console (how many a tile or a
// notice reaches) both decide through Matches, so "who a tile reaches" has one definition.
type Audience struct {
	Birth     time.Time
	District  string
	Children  []time.Time
	OpenKinds func() ([]string, error)
}

// Matches reports whether the targeting selects a.
func (t Targeting) Matches(a Audience, now time.Time) (bool, error) {
	age := AgeAt(a.Birth, now)
	if (t.MinAge != nil && age < *t.MinAge) || (t.MaxAge != nil && age > *t.MaxAge) {
		return false, nil
	}
	if len(t.Districts) > 0 && !slices.Contains(t.Districts, a.District) {
		return false, nil
	}
	if t.ChildAgeMin != nil || t.ChildAgeMax != nil {
		if !slices.ContainsFunc(a.Children, func(b time.Time) bool {
			c := AgeAt(b, now)
			return (t.ChildAgeMin == nil || c >= *t.ChildAgeMin) && (t.ChildAgeMax == nil || c <= *t.ChildAgeMax)
		}) {
			return false, nil
		}
	}
	if len(t.OpenCaseKinds) > 0 {
		if a.OpenKinds == nil {
			return false, nil
		}
		kinds, err := a.OpenKinds()
		if err != nil {
			return false, err
		}
		if !slices.ContainsFunc(t.OpenCaseKinds, func(k string) bool { return slices.Contains(kinds, k) }) {
			return false, nil
		}
	}
	return true, nil
}

// AgeAt is a person's age in whole years on the day of now.
func AgeAt(birth, now time.Time) int {
	years := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		years--
	}
	return years
}
