package tiles

import "strings"

// Districts are Oslo's fifteen city districts (bydeler), the values a person's district and a
// targeting's districts take. Targeting compares them exactly, so what editors type is matched to
// this list first (CanonicalDistrict): "frogner" must reach the people of Frogner, not nobody.
var Districts = []string{"Alna", "Bjerke", "Frogner", "Gamle Oslo", "Grorud", "Grünerløkka", "Nordre Aker",
	"Nordstrand", "Sagene", "St. Hanshaugen", "Stovner", "Søndre Nordstrand", "Ullern", "Vestre Aker", "Østensjø"}

// CanonicalDistrict returns the known district that name spells, ignoring case and surrounding
// space, and whether there is one.
func CanonicalDistrict(name string) (string, bool) {
	name = strings.TrimSpace(name)
	for _, d := range Districts {
		if strings.EqualFold(d, name) {
			return d, true
		}
	}
	return "", false
}
