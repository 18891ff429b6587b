package i18n

import (
	"testing"

	"minside/backend/internal/apperr"
	"minside/locales"
)

// TestEveryErrorCodeHasATitle ties the locales to apperr: each code's title key is a real message in
// every language, so no problem+json title ever shows a bare key.
func TestEveryErrorCodeHasATitle(t *testing.T) {
	b, err := New(locales.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	codes := []apperr.Code{
		apperr.CodeBadRequest, apperr.CodeUnauthorized, apperr.CodeForbidden, apperr.CodeNotFound,
		apperr.CodeMethodNotAllowed, apperr.CodeConflict, apperr.CodeGone, apperr.CodePreconditionFailed,
		apperr.CodeTooLarge, apperr.CodeUnsupportedMediaType, apperr.CodeInvalid, apperr.CodeRateLimited,
		apperr.CodeInternal, apperr.CodeUnavailable,
	}
	for _, l := range Languages() {
		var missing []string
		loc := b.Localizer(l.Code)
		for _, c := range codes {
			key := apperr.New(c).Key
			if got := loc.T(key, nil); got == key || got == "" {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: no title for %v", l.Code, missing)
		}
	}
}
