package sessions

import (
	"reflect"
	"sync"
	"time"
)

// A hint is the last lookup's answer for a session, kept in this process. On PostgreSQL a reader
// whose statement depends on the session (the overview) would otherwise wait for the lookup's round
// trip before sending its own; with a hint it builds its statement from the hint and sends the
// lookup in the same statement (QueueLookup), and then uses its answer only if the lookup found
// the session as the hint has it (Matches). The hint decides nothing by itself: a session that
// ended, or whose person, language, roles or relations changed, fails the match, however old the
// hint is.

// hintsKept bounds the hints of one process: a hint is one to a few kilobytes (a parent's relations
// are the most), so at most some tens of MB. Past it an arbitrary one goes, and its session's next
// request looks up as usual.
const hintsKept = 10_000

type hintCache struct {
	mu    sync.Mutex
	hints map[string]*Request // by session hash
}

func newHintCache() *hintCache { return &hintCache{hints: map[string]*Request{}} }

func (h *hintCache) keep(hash string, r *Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.hints[hash]; !ok && len(h.hints) >= hintsKept {
		for other := range h.hints {
			delete(h.hints, other)
			break
		}
	}
	h.hints[hash] = r
}

func (h *hintCache) forget(hash string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.hints, hash)
}

func (h *hintCache) get(hash string) *Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hints[hash]
}

// Hint is the last answer of a lookup of token in this process, or nil. It is not proof of a
// session: use it only to build reads that travel with a lookup, and only after Matches.
func (s *Store) Hint(token string) *Request {
	if token == "" {
		return nil
	}
	return s.hints.get(Hash(token))
}

// Matches reports whether fresh, a lookup's answer, is the session as hint has it: everything a
// request reads from it is the same. Only the session's last-seen and idle expiry may differ:
// they slide with every request and decide nothing a reader shows.
func (hint *Request) Matches(fresh *Request) bool {
	if hint == nil || fresh == nil || hint.Session == nil || fresh.Session == nil {
		return false
	}
	a, b := *hint, *fresh
	sa, sb := *a.Session, *b.Session
	sa.LastSeenAt, sa.IdleExpiresAt = time.Time{}, time.Time{}
	sb.LastSeenAt, sb.IdleExpiresAt = time.Time{}, time.Time{}
	a.Session, b.Session = &sa, &sb
	return alike(reflect.ValueOf(a), reflect.ValueOf(b))
}

// alike is reflect.DeepEqual with times compared as instants: the same time read twice may come
// back in another *time.Location (PostgreSQL's JSON carries an offset).
func alike(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == timeType {
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return alike(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !alike(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			return false
		}
		for i := range a.Len() {
			if !alike(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if v := b.MapIndex(k); !v.IsValid() || !alike(a.MapIndex(k), v) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	default: // nothing a Request holds: say no, and the request looks up as usual
		return false
	}
}

var timeType = reflect.TypeFor[time.Time]()
