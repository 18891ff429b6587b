// Package pid validates Norwegian national identity numbers (fødselsnummer, D-nummer, H-nummer and
// synthetic numbers from the national test register) and turns them into the keyed pseudonym the
// database stores instead of the number itself.
//
// A number is 11 digits DDMMYY III K1 K2: birth date, individual number, two mod-11 control digits.
//   - D-number: first digit + 4 (day 41–71), for people without a fødselsnummer.
//   - H-number: month + 40 (41–52), assigned by health services.
//   - Synthetic (Tenor / Test Norge, used by ID-porten's test environment): month + 80 (81–92).
//     Accepted only with Options.AllowSynthetic.
//   - The century follows from the individual number (see century).
//   - Control digits: k = 11 − (weighted sum mod 11), 11 → 0, 10 → invalid. From 2032 the Norwegian
//     register also issues numbers whose first control digit k1 satisfies (sum + k1) mod 11 ∈ {0,1,2,3}
//     (so k1 may take up to four values); the classic rule is the case 0. Parse accepts all four so
//     numbers issued after the change validate today; k2 keeps the classic rule.
//
// FH-numbers (first digit 8 or 9) are not birth-date based and are refused.
package pid

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"minside/backend/internal/apperr"
)

// Kind tells which register a number belongs to.
type Kind int

const (
	KindFodselsnummer Kind = iota + 1 // ordinary birth number
	KindDNumber                       // D-nummer: day + 40
	KindHNumber                       // H-nummer: month + 40
)

func (k Kind) String() string {
	switch k {
	case KindFodselsnummer:
		return "fodselsnummer"
	case KindDNumber:
		return "d-number"
	case KindHNumber:
		return "h-number"
	}
	return "unknown"
}

// Options tunes what Parse accepts.
type Options struct {
	// AllowSynthetic accepts test-register numbers (month + 80). ID-porten's test environment and the
	// dev identity provider issue them; production against real ID-porten should leave it off.
	AllowSynthetic bool
}

// Number is a parsed, valid identity number. Its String method masks the number, so printing a
// Number by accident does not leak it; Digits returns the full number on purpose.
type Number struct {
	Kind       Kind
	Synthetic  bool
	BirthDate  time.Time // midnight UTC of the birth date
	Individual int       // digits 7–9 (000–999)
	digits     string
}

// Digits returns the full 11-digit number. Never log it or put it in a URL.
func (n Number) Digits() string { return n.digits }

// String returns the masked number (birth-date part only).
func (n Number) String() string { return Mask(n.digits) }

// AgeAt returns the completed years of age at t (in t's location). Someone born on 29 February
// turns a year older on 1 March in common years.
func (n Number) AgeAt(t time.Time) int {
	y, m, d := t.Date()
	by, bm, bd := n.BirthDate.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}

// Reasons a number is refused. They are wrapped as the cause of the *apperr.Error for logs and
// tests; the client sees only field.invalid_pid. They never contain the number.
var (
	ErrLength    = errors.New("pid: not 11 characters")
	ErrDigits    = errors.New("pid: not all digits")
	ErrDate      = errors.New("pid: not a calendar date")
	ErrCentury   = errors.New("pid: individual number does not fit the year")
	ErrChecksum  = errors.New("pid: control digit mismatch")
	ErrSynthetic = errors.New("pid: synthetic number not allowed")
	ErrKind      = errors.New("pid: unsupported number kind")
)

// FieldKey is the message key of a refused number.
const FieldKey = "field.invalid_pid"

// invalid wraps a reason as the one error clients see.
func invalid(reason error) *apperr.Error {
	return apperr.Invalid(apperr.Field("/pid", FieldKey, nil)).Wrap(reason)
}

var (
	weights1 = [9]int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	weights2 = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// Parse validates s (surrounding spaces are ignored, nothing else) and returns what it encodes.
// Errors are *apperr.Error with code invalid and field key field.invalid_pid on pointer "/pid".
func Parse(s string, opts Options) (Number, error) {
	s = strings.TrimSpace(s)
	if len(s) != 11 {
		return Number{}, invalid(ErrLength)
	}
	var d [11]int
	for i := 0; i < 11; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return Number{}, invalid(ErrDigits)
		}
		d[i] = int(c - '0')
	}
	if !checksumOK(d) {
		return Number{}, invalid(ErrChecksum)
	}
	day := d[0]*10 + d[1]
	month := d[2]*10 + d[3]
	yy := d[4]*10 + d[5]
	individual := d[6]*100 + d[7]*10 + d[8]

	n := Number{Kind: KindFodselsnummer, Individual: individual, digits: s}
	switch {
	case d[0] >= 8:
		return Number{}, invalid(ErrKind) // FH-number: not date based
	case d[0] >= 4:
		n.Kind = KindDNumber
		day -= 40
	}
	switch {
	case month >= 81 && month <= 92:
		if !opts.AllowSynthetic {
			return Number{}, invalid(ErrSynthetic)
		}
		n.Synthetic = true
		month -= 80
	case month >= 41 && month <= 52:
		if n.Kind == KindDNumber {
			return Number{}, invalid(ErrKind)
		}
		n.Kind = KindHNumber
		month -= 40
	}
	year, ok := century(individual, yy)
	if !ok {
		return Number{}, invalid(ErrCentury)
	}
	if month < 1 || month > 12 || day < 1 {
		return Number{}, invalid(ErrDate)
	}
	born := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if born.Day() != day || int(born.Month()) != month {
		return Number{}, invalid(ErrDate) // e.g. 31 April or 29 February in a common year
	}
	n.BirthDate = born
	return n, nil
}

// Valid reports whether s parses under opts.
func Valid(s string, opts Options) bool {
	_, err := Parse(s, opts)
	return err == nil
}

// century returns the four-digit birth year, or false when the individual number was never issued
// for that two-digit year.
func century(individual, yy int) (int, bool) {
	switch {
	case individual <= 499:
		return 1900 + yy, true
	case individual <= 749 && yy > 54:
		return 1800 + yy, true
	case individual >= 900 && yy >= 40:
		return 1900 + yy, true
	case yy < 40:
		return 2000 + yy, true
	}
	return 0, false
}

// sum1 is the weighted sum of the first nine digits for k1.
func sum1(d [11]int) int {
	s := 0
	for i, w := range weights1 {
		s += w * d[i]
	}
	return s
}

// sum2 is the weighted sum of the first ten digits (including k1) for k2.
func sum2(d [11]int) int {
	s := 0
	for i, w := range weights2 {
		s += w * d[i]
	}
	return s
}

// checksumOK applies both control-digit rules, accepting any of the four k1 values allowed from 2032.
func checksumOK(d [11]int) bool {
	if (sum1(d)+d[9])%11 > 3 {
		return false
	}
	k2, ok := control(sum2(d))
	return ok && k2 == d[10]
}

// control is the classic mod-11 control digit for a weighted sum.
func control(sum int) (int, bool) {
	k := 11 - sum%11
	switch k {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return k, true
}

// Mask hides the individual number and control digits: "010190*****". Anything that is not an
// 11-character string is masked completely, so a malformed value cannot leak either.
func Mask(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 11 {
		return "***********"
	}
	return s[:6] + "*****"
}

// Spec describes a number to Generate.
type Spec struct {
	BirthDate  time.Time
	Individual int  // 000–999; must fit the birth year's century
	Kind       Kind // zero means KindFodselsnummer
	Synthetic  bool // month + 80, as in the national test register
}

// Generate builds a valid number for spec, used to seed demo citizens and in tests. It uses the
// classic control digit k1 when that works and otherwise the next value the 2032 rule allows; it
// fails when the individual number does not fit the century or no control digits exist for it
// (then try another individual number).
func Generate(spec Spec) (string, error) {
	kind := spec.Kind
	if kind == 0 {
		kind = KindFodselsnummer
	}
	if kind == KindHNumber && spec.Synthetic {
		return "", fmt.Errorf("pid: generate: an H-number cannot also be synthetic")
	}
	if spec.Individual < 0 || spec.Individual > 999 {
		return "", fmt.Errorf("pid: generate: individual number %d out of range", spec.Individual)
	}
	y, m, day := spec.BirthDate.Date()
	if got, ok := century(spec.Individual, y%100); !ok || got != y {
		return "", fmt.Errorf("pid: generate: individual number %03d is not issued for year %d", spec.Individual, y)
	}
	month := int(m)
	switch {
	case kind == KindDNumber:
		day += 40
	case kind == KindHNumber:
		month += 40
	}
	if spec.Synthetic {
		month += 80
	}
	var d [11]int
	for i, v := range []int{day / 10, day % 10, month / 10, month % 10, y % 100 / 10, y % 10,
		spec.Individual / 100, spec.Individual / 10 % 10, spec.Individual % 10} {
		d[i] = v
	}
	s1 := sum1(d)
	for r := 0; r <= 3; r++ {
		k1 := ((r-s1)%11 + 11) % 11
		if k1 == 10 {
			continue
		}
		d[9] = k1
		k2, ok := control(sum2(d))
		if !ok {
			continue
		}
		d[10] = k2
		var b strings.Builder
		for _, v := range d {
			b.WriteByte(byte('0' + v))
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("pid: generate: no control digits exist for individual number %03d", spec.Individual)
}

// Synthetic is Generate for an ordinary synthetic fødselsnummer (month + 80).
func Synthetic(birth time.Time, individual int) (string, error) {
	return Generate(Spec{BirthDate: birth, Individual: individual, Synthetic: true})
}
