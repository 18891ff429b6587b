package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/pid"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/suggest"
)

// fuzzPID is a synthetic test-register number (month + 80), accepted with AllowSynthetic.
func fuzzPID(f testing.TB, year, individual int) string {
	f.Helper()
	n, err := pid.Synthetic(time.Date(year, 5, 17, 0, 0, 0, 0, time.UTC), individual)
	if err != nil {
		f.Fatal(err)
	}
	return n
}

// fuzzRecords are valid records of every kind, in Kinds() order; the seeds are these and the
// same with the kinds of damage the issue found (NUL, bidi override, lone surrogate, members named
// twice, spaces around a pid).
func fuzzRecords(f testing.TB) []string {
	a, b := fuzzPID(f, 1985, 412), fuzzPID(f, 2015, 513)
	return []string{
		`{"pid":"` + a + `","title":{"nb":"Byggesøknad","en":"Permit"},"titlePublic":{"nb":"Byggesak"},"kind":"building_permit","area":"building","status":"received",` +
			`"nextAction":{"text":{"nb":"Send nabovarsel"},"dueAt":"2026-12-20T10:00:00Z"},` +
			`"events":[{"externalId":"ev-1","occurredAt":"2026-11-20T09:00:00Z","status":"received","title":{"nb":"Mottatt"},"body":{"nb":"Linje 1\nLinje 2"}}],` +
			`"documents":[{"externalId":"d1","name":"Søknad.pdf","type":"application/pdf","url":"https://sak.example.no/d/1"}],"deepLink":"https://sak.example.no/1","version":1}`,
		`{"pid":"` + a + `","resource":{"nb":"Møterom"},"place":{"name":"Biblioteket","address":"Storgata 1"},"startsAt":"2026-12-20T10:00:00Z","endsAt":"2026-12-20T12:00:00Z","status":"confirmed","area":"library","keyExternalId":"k1","version":1}`,
		`{"pid":"` + a + `","facility":{"externalId":"lib","name":"Biblioteket","accessPoints":[{"externalId":"front","name":"Hoveddør"}]},"accessPoints":["front"],"windows":[{"startsAt":"2026-12-20T10:00:00Z","endsAt":"2026-12-20T12:00:00Z"}],"status":"active","version":1}`,
		`{"pid":"` + a + `","category":"general","title":{"nb":"Hei"},"body":{"nb":"Velkommen\r\n\tigjen"},"link":"/cases","urgency":"high","dedupeKey":"welcome","version":1}`,
		`{"kind":"guardian","representativePid":"` + a + `","representativeName":"Kari","subjectPid":"` + b + `","subjectName":"Ola","validFrom":"2026-01-01T00:00:00Z","version":1}`,
		`{"title":{"nb":"Barnehage"},"description":{"nb":"Søk plass"},"link":"https://kommune.example.no/b","icon":"child","category":"school","targeting":{"childAgeMin":0,"childAgeMax":5,"districts":["Sentrum"]},"status":"published","version":1}`,
		`{"status":"published","category":"family","area":"kindergarten","appliesTo":"child","condition":"child.guardian && child.age < 6",` +
			`"texts":{"title":{"nb":"Søk barnehageplass"},"why":{"nb":"Fordi {child.name} er {child.age} år"}},"action":{"type":"link","link":"https://kommune.example.no/b","prefill":{"barn":"{child.name}"}},"version":1}`,
		`{"pid":"` + a + `","area":"building","title":{"nb":"Last opp plan"},"body":{"nb":"Vi trenger\nen plan"},"dueAt":"2026-12-20T10:00:00Z","link":"https://sak.example.no/o/1","caseExternalId":"c1","status":"open","sensitive":true,"version":1}`,
		`{"pid":"` + a + `","area":"kindergarten","title":{"nb":"Søknad"},"link":"https://sak.example.no/u/1","expiresAt":"2026-12-20T10:00:00Z","status":"open","version":1}`,
	}
}

// fuzzService parses every kind, rules against the real fact model.
func fuzzService(t testing.TB) *Service {
	env, err := suggest.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	return NewService(nil, nil, true, nil).WithRules(env)
}

// The undamaged seeds are valid, so the fuzzers start from records that reach every check.
func TestFuzzSeedRecordsAreValid(t *testing.T) {
	s := fuzzService(t)
	for i, rec := range fuzzRecords(t) {
		if _, err := s.Parse(Kinds()[i], "ext-1", []byte(rec), ""); err != nil {
			t.Errorf("%s: %v", Kinds()[i], err)
		}
	}
}

func fuzzSeeds(f *testing.F, add func(kind byte, body string)) {
	for i, rec := range fuzzRecords(f) {
		k := byte(i)
		add(k, rec)
		add(k, strings.Replace(rec, `"nb":"`, `"nb":"\u0000`, 1))
		add(k, strings.Replace(rec, `"nb":"`, `"nb":"\u202e`, 1))
		add(k, strings.Replace(rec, `"nb":"`, `"nb":"\ud800`, 1))
		add(k, strings.Replace(rec, `"nb":"`, `"nb":"\u200b`, 1))
		add(k, strings.Replace(rec, `"nb":"`, `"n\u0000b":"`, 1))
		add(k, strings.Replace(rec, `{`, `{"version":2,`, 1))
		add(k, strings.Replace(rec, `"pid":"`, `"pid":" `, 1))
		add(k, strings.Replace(rec, `"name":"`, "\"name\":\"\x00", 1))
		add(k, rec[:len(rec)/2])
	}
}

// FuzzParseRecord: no record body makes a kind's parser panic or fail with anything but a 400 or
// 422 *apperr.Error, and what a parser accepts parses again to the same record (the stored form is
// canonical) and holds no control character.
func FuzzParseRecord(f *testing.F) {
	fuzzSeeds(f, func(kind byte, body string) { f.Add(kind, []byte(body)) })
	s := fuzzService(f)
	kinds := Kinds()
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		k := kinds[int(kind)%len(kinds)]
		p, err := s.Parse(k, "ext-1", body, "")
		if err != nil {
			requireRefusal(t, err, apperr.CodeInvalid, apperr.CodeBadRequest)
			return
		}
		rec := recordOf(t, p)
		again, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := s.Parse(k, "ext-1", again, "")
		if err != nil {
			t.Fatalf("an accepted %s does not parse again: %v\n%s", k, err, again)
		}
		if rec2 := recordOf(t, p2); !reflect.DeepEqual(rec, rec2) {
			t.Fatalf("%s is not stable:\n%+v\n%+v", k, rec, rec2)
		}
		if bytes.Contains(again, []byte(`\u0000`)) {
			t.Fatalf("an accepted %s holds a NUL: %s", k, again)
		}
	})
}

// FuzzDecodeFill: a record read in one pass (fill, from the document the shape check read) is the
// record encoding/json decodes from the same bytes, for every kind.
func FuzzDecodeFill(f *testing.F) {
	fuzzSeeds(f, func(kind byte, body string) { f.Add(kind, []byte(body)) })
	types := []reflect.Type{
		reflect.TypeFor[CaseRecord](), reflect.TypeFor[BookingRecord](), reflect.TypeFor[KeyRecord](),
		reflect.TypeFor[NotificationRecord](), reflect.TypeFor[RelationRecord](), reflect.TypeFor[TileRecord](),
		reflect.TypeFor[TaskRecord](), reflect.TypeFor[DraftRecord](),
	}
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		typ := types[int(kind)%len(types)]
		doc, err := strictjson.Decode(body)
		if err != nil {
			return
		}
		var fields apperr.Fields
		if checkShape(doc, typ, "", &fields); len(fields) > 0 {
			return
		}
		want := reflect.New(typ)
		if err := json.Unmarshal(body, want.Interface()); err != nil {
			return
		}
		got := reflect.New(typ)
		if !fill(doc, got.Elem()) {
			t.Fatalf("%s: fill gave up on a record encoding/json decodes: %s", typ, body)
		}
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			t.Fatalf("%s: fill read\n%+v\nencoding/json read\n%+v", typ, got.Elem(), want.Elem())
		}
	})
}

// FuzzBulkLines: the bulk reader splits any body into lines and answers each with a parsed record
// or a 400, 413 or 422 *apperr.Error, never a panic or an unknown error.
func FuzzBulkLines(f *testing.F) {
	kinds := Kinds()
	fuzzSeeds(f, func(kind byte, body string) {
		line := `{"kind":"` + string(kinds[int(kind)%len(kinds)]) + `","externalId":"x-1","record":` + body + "}\n"
		f.Add([]byte(line + "\n" + line))
	})
	f.Add([]byte(`{"kind":"cases","kind":"tiles","externalId":"a","record":{}}`))
	f.Add([]byte("{\"kind\":\"cases\",\"externalId\":\"a\x00\",\"record\":null}\r\n"))
	f.Add([]byte(`[1,2]` + "\n" + `null` + "\n" + `"x"`))
	s := fuzzService(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(body), 64<<10)
		for n := 1; ; n++ {
			line, tooLong, err := readLine(br)
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("read: %v", err)
			}
			if !tooLong && len(bytes.TrimSpace(line)) > 0 {
				p := s.parseLine(n, line)
				if p.result.Err != nil {
					requireRefusal(t, p.result.Err, apperr.CodeInvalid, apperr.CodeBadRequest)
					if p.parsed != nil {
						t.Fatal("a refused line is also parsed")
					}
				} else if p.parsed == nil {
					t.Fatal("a line is neither refused nor parsed")
				}
			}
			if errors.Is(err, io.EOF) {
				return
			}
		}
	})
}

// requireRefusal fails unless err is an *apperr.Error with one of codes, whose field pointers hold
// no control character (they are shown to clients and logged).
func requireRefusal(t *testing.T, err error, codes ...apperr.Code) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || !slices.Contains(codes, e.Code) {
		t.Fatalf("refusal is not a %v *apperr.Error: %v", codes, err)
	}
	for _, fe := range e.Fields {
		if strings.ContainsFunc(fe.Pointer, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("pointer %q holds a control character", fe.Pointer)
		}
	}
}

// recordOf returns the record a parser accepted, as it would be stored.
func recordOf(t *testing.T, p parsed) any {
	t.Helper()
	switch p := p.(type) {
	case *parsedCase:
		return p.rec
	case *parsedBooking:
		return p.rec
	case *parsedKey:
		return p.rec
	case *parsedNotification:
		return p.rec
	case *parsedRelation:
		return p.rec
	case *parsedTile:
		return p.rec
	case *parsedRule:
		return p.rec
	case *parsedTask:
		return p.record
	}
	t.Fatalf("unknown parsed type %T", p)
	return nil
}
