package pid

import (
	"errors"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/apperr"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The vectors below were computed by an independent implementation of the control-digit rules
// (classic and 2032) and checked by hand against the century table.
func TestParseValid(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		opts       Options
		kind       Kind
		synthetic  bool
		born       time.Time
		individual int
	}{
		{"classic fødselsnummer", "01019012480", Options{}, KindFodselsnummer, false, date(1990, 1, 1), 124},
		{"surrounding spaces ignored", " 01019012480 ", Options{}, KindFodselsnummer, false, date(1990, 1, 1), 124},
		{"2032 rule, k1 for remainder 1", "01019012405", Options{}, KindFodselsnummer, false, date(1990, 1, 1), 124},
		{"2032 rule where the classic k1 is 10", "01019012316", Options{}, KindFodselsnummer, false, date(1990, 1, 1), 123},
		{"D-number", "41019012393", Options{}, KindDNumber, false, date(1990, 1, 1), 123},
		{"H-number", "01419012382", Options{}, KindHNumber, false, date(1990, 1, 1), 123},
		{"synthetic", "01819012365", Options{AllowSynthetic: true}, KindFodselsnummer, true, date(1990, 1, 1), 123},
		{"synthetic D-number", "41819012359", Options{AllowSynthetic: true}, KindDNumber, true, date(1990, 1, 1), 123},
		{"000–499 → 1900s, first year", "01010012356", Options{}, KindFodselsnummer, false, date(1900, 1, 1), 123},
		{"000–499 → 1900s, last day", "31129949980", Options{}, KindFodselsnummer, false, date(1999, 12, 31), 499},
		{"500–749 year > 54 → 1800s", "01015550089", Options{}, KindFodselsnummer, false, date(1855, 1, 1), 500},
		{"600 year 55 → 1855", "01015560041", Options{}, KindFodselsnummer, false, date(1855, 1, 1), 600},
		{"900–999 year ≥ 40 → 1940s", "01014095094", Options{}, KindFodselsnummer, false, date(1940, 1, 1), 950},
		{"950 year 45 → 1945", "01014595089", Options{}, KindFodselsnummer, false, date(1945, 1, 1), 950},
		{"500 year < 40 → 2000s", "01010550048", Options{}, KindFodselsnummer, false, date(2005, 1, 1), 500},
		{"999 year < 40 → 2000s", "01010599926", Options{}, KindFodselsnummer, false, date(2005, 1, 1), 999},
		{"leap day 2000", "29020050088", Options{}, KindFodselsnummer, false, date(2000, 2, 29), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in, tt.opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if n.Kind != tt.kind || n.Synthetic != tt.synthetic || !n.BirthDate.Equal(tt.born) || n.Individual != tt.individual {
				t.Errorf("got kind %v synthetic %v born %v individual %d; want %v %v %v %d",
					n.Kind, n.Synthetic, n.BirthDate, n.Individual, tt.kind, tt.synthetic, tt.born, tt.individual)
			}
			if n.Digits() != strings.TrimSpace(tt.in) {
				t.Errorf("Digits() = %q", n.Digits())
			}
			if !Valid(tt.in, tt.opts) {
				t.Error("Valid() = false")
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want error
	}{
		{"empty", "", Options{}, ErrLength},
		{"ten digits", "0101901248", Options{}, ErrLength},
		{"twelve digits", "010190124800", Options{}, ErrLength},
		{"with a dash", "010190-12480", Options{}, ErrLength},
		{"letter", "0101901248a", Options{}, ErrDigits},
		{"letter O for zero", "01019O12480", Options{}, ErrDigits},
		{"non-ASCII digits", "０１０１９０１２４８", Options{}, ErrLength},
		{"inner space", "01019 12480", Options{}, ErrDigits},
		{"k2 off by one", "01019012481", Options{}, ErrChecksum},
		{"k1 outside the 2032 remainders", "01019012470", Options{}, ErrChecksum},
		{"k1 allowed but k2 wrong", "01019012408", Options{}, ErrChecksum},
		{"all ones", "11111111111", Options{}, ErrChecksum},
		{"day and month swapped", "10019012480", Options{}, ErrChecksum},
		{"all zeros: day 0", "00000000000", Options{}, ErrDate},
		{"day 0", "00019012360", Options{}, ErrDate},
		{"month 13", "01139012328", Options{}, ErrDate},
		{"month 0", "01009012318", Options{}, ErrDate},
		{"month 53 (H-number range ends at 52)", "01539012300", Options{}, ErrDate},
		{"month 93 (synthetic range ends at 92)", "01939012393", Options{AllowSynthetic: true}, ErrDate},
		{"D-number day 32", "72019012345", Options{}, ErrDate},
		{"31 April", "31049012392", Options{}, ErrDate},
		{"30 February", "30029012373", Options{}, ErrDate},
		{"29 February 1900 (not a leap year)", "29020012380", Options{}, ErrDate},
		{"750–899 with year ≥ 40", "01014575053", Options{}, ErrCentury},
		{"500–749 with year 40–54", "01015070028", Options{}, ErrCentury},
		{"synthetic refused by default", "01819012365", Options{}, ErrSynthetic},
		{"synthetic D-number refused by default", "41819012359", Options{}, ErrSynthetic},
		{"FH-number", "81019012387", Options{}, ErrKind},
		{"D-number and H-number at once", "41419012376", Options{}, ErrKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) = %v, want %v", tt.in, err, tt.want)
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Key != FieldKey || e.Fields[0].Pointer != "/pid" {
				t.Fatalf("error is not an invalid_pid field error: %#v", err)
			}
			if len(tt.in) >= 11 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("error message leaks the number: %v", err)
			}
		})
	}
}

func TestAgeAt(t *testing.T) {
	leap, err := Parse("29020050088", Options{})
	if err != nil {
		t.Fatal(err)
	}
	jan1, err := Parse("01019012480", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		n    Number
		at   time.Time
		want int
	}{
		{"day before birthday", jan1, date(2020, 12, 31), 30},
		{"on birthday", jan1, date(2021, 1, 1), 31},
		{"on birth day itself", jan1, date(1990, 1, 1), 0},
		{"leap-day child on 28 Feb of a common year", leap, date(2018, 2, 28), 17},
		{"leap-day child on 1 Mar of a common year", leap, date(2018, 3, 1), 18},
		{"leap-day child on 29 Feb", leap, date(2020, 2, 29), 20},
		{"late evening in Oslo is still the date in Oslo", jan1,
			time.Date(2020, 12, 31, 23, 30, 0, 0, time.FixedZone("CET", 3600)), 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.AgeAt(tt.at); got != tt.want {
				t.Errorf("AgeAt(%v) = %d, want %d", tt.at, got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"01019012480", "010190*****"},
		{" 41019012393 ", "410190*****"},
		{"0101901248", "***********"},
		{"", "***********"},
		{"010190124800000", "***********"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	n, err := Parse("01019012480", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.String(); got != "010190*****" {
		t.Errorf("Number.String() = %q, want the masked form", got)
	}
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		// oneOf lists every valid completion (independently computed); Generate must pick one.
		oneOf []string
	}{
		{"classic k1 preferred", Spec{BirthDate: date(1990, 1, 1), Individual: 124}, []string{"01019012480"}},
		{"2032 rule when classic k1 is 10", Spec{BirthDate: date(1990, 1, 1), Individual: 123},
			[]string{"01019012308", "01019012316", "01019012324"}},
		{"D-number", Spec{BirthDate: date(1990, 1, 1), Individual: 123, Kind: KindDNumber}, []string{"41019012393"}},
		{"H-number", Spec{BirthDate: date(1990, 1, 1), Individual: 123, Kind: KindHNumber}, []string{"01419012382"}},
		{"synthetic", Spec{BirthDate: date(1990, 1, 1), Individual: 123, Synthetic: true}, []string{"01819012365"}},
		{"synthetic D-number", Spec{BirthDate: date(1990, 1, 1), Individual: 123, Kind: KindDNumber, Synthetic: true},
			[]string{"41819012359"}},
		{"1800s", Spec{BirthDate: date(1855, 1, 1), Individual: 500}, []string{"01015550089"}},
		{"2000s", Spec{BirthDate: date(2000, 2, 29), Individual: 500}, []string{"29020050088"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Generate(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range tt.oneOf {
				found = found || got == w
			}
			if !found {
				t.Errorf("Generate = %q, want one of %v", got, tt.oneOf)
			}
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		{"individual number not issued for the year", Spec{BirthDate: date(1990, 1, 1), Individual: 800}},
		{"1800s individual number in the 1900s", Spec{BirthDate: date(1950, 1, 1), Individual: 700}},
		{"negative individual number", Spec{BirthDate: date(1990, 1, 1), Individual: -1}},
		{"four-digit individual number", Spec{BirthDate: date(1990, 1, 1), Individual: 1000}},
		{"synthetic H-number", Spec{BirthDate: date(1990, 1, 1), Individual: 1, Kind: KindHNumber, Synthetic: true}},
		{"year outside 1854–2039", Spec{BirthDate: date(2040, 1, 1), Individual: 500}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Generate(tt.spec); err == nil {
				t.Errorf("Generate = %q, want an error", got)
			}
		})
	}
}

// Every generated number must parse back to what it was generated from, across kinds and centuries.
func TestGenerateRoundTrip(t *testing.T) {
	opts := Options{AllowSynthetic: true}
	starts := []struct {
		from       time.Time
		individual int
	}{{date(1854, 1, 1), 500}, {date(1900, 1, 1), 0}, {date(1940, 1, 1), 900}, {date(2000, 1, 1), 750}}
	count := 0
	for _, s := range starts {
		for day := 0; day < 366*3; day += 7 {
			born := s.from.AddDate(0, 0, day)
			for _, kind := range []Kind{KindFodselsnummer, KindDNumber, KindHNumber} {
				for _, synthetic := range []bool{false, true} {
					if kind == KindHNumber && synthetic {
						continue
					}
					spec := Spec{BirthDate: born, Individual: s.individual + day%99, Kind: kind, Synthetic: synthetic}
					str, err := Generate(spec)
					if err != nil {
						continue // no control digits for this individual number; the next one has
					}
					n, err := Parse(str, opts)
					if err != nil {
						t.Fatalf("Parse(Generate(%+v)) = %v", spec, err)
					}
					if n.Kind != kind || n.Synthetic != synthetic || !n.BirthDate.Equal(born) || n.Individual != spec.Individual {
						t.Fatalf("round trip of %+v gave %+v", spec, n)
					}
					count++
				}
			}
		}
	}
	if count < 1000 {
		t.Fatalf("only %d numbers generated", count)
	}
}

func TestPseudonymizer(t *testing.T) {
	if _, err := NewPseudonymizer(make([]byte, 31)); err == nil {
		t.Fatal("a 31-byte key was accepted")
	}
	key := []byte(strings.Repeat("k", 32))
	p, err := NewPseudonymizer(key)
	if err != nil {
		t.Fatal(err)
	}
	key[0] = 'x' // the pseudonymizer must keep its own copy
	// Known answer computed with Python: hmac.new(b"k"*32, b"01019012480", hashlib.sha256).hexdigest()
	const want = "e3b9e5c2b18d07f92c194087203d4e6cdbb0144fa32232e5fc6c345da27923e2"
	if got := p.Pseudonym("01019012480"); got != want {
		t.Errorf("Pseudonym = %s, want %s", got, want)
	}
	if got := p.Pseudonym(" 01019012480\n"); got != want {
		t.Errorf("Pseudonym with spaces = %s, want %s", got, want)
	}
	if p.Pseudonym("41019012393") == want {
		t.Error("two numbers share a pseudonym")
	}
	other, err := NewPseudonymizer([]byte(strings.Repeat("o", 32)))
	if err != nil {
		t.Fatal(err)
	}
	if other.Pseudonym("01019012480") == want {
		t.Error("a different key gave the same pseudonym")
	}
}
