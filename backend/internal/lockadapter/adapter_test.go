package lockadapter

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/doors"
)

type adapterRig struct {
	srv     *httptest.Server
	issuer  *doors.Issuer
	key     ed25519.PublicKey // the adapter's
	out     *bytes.Buffer
	now     time.Time
	failing bool
}

type flakyOutput struct {
	rig *adapterRig
	log *LogOutput
}

func (o flakyOutput) Open(ctx context.Context, door string) error {
	if o.rig.failing {
		return errors.New("relay board offline")
	}
	return o.log.Open(ctx, door)
}

func newRig(t *testing.T) *adapterRig {
	t.Helper()
	issuer, err := doors.NewIssuer(bytes.Repeat([]byte("s"), 32), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	r := &adapterRig{issuer: issuer, key: pub, out: &bytes.Buffer{}, now: time.Now()}
	a := New(Config{PortalKeys: []ed25519.PublicKey{issuer.PublicKey()}, Key: priv, Doors: []string{"front", "back"},
		Output: flakyOutput{rig: r, log: NewLogOutput(r.out)}, Now: func() time.Time { return r.now }})
	r.srv = httptest.NewTLSServer(a.Handler())
	t.Cleanup(r.srv.Close)
	return r
}

func (r *adapterRig) token(t *testing.T, door string, at time.Time) string {
	t.Helper()
	tok, _, err := r.issuer.Issue("key-1", doors.Door{AccessPointID: "0190a0a0-0000-7000-8000-000000000001", ExternalID: door}, at)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// press sends token to door and returns the HTTP status and the verified answer.
func (r *adapterRig) press(t *testing.T, door, token string) (int, doors.Answer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/doors/"+door+"/open", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !doors.VerifyBody(r.key, body, resp.Header.Get(doors.SignatureHeader)) {
		t.Fatalf("answer %d %s is not signed by the adapter", resp.StatusCode, body)
	}
	var a doors.Answer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a
}

func TestAdapterOpensOnceAndRefusesTheRest(t *testing.T) {
	r := newRig(t)
	good := r.token(t, "front", r.now)
	jti, _ := doors.TokenID(good)
	if code, a := r.press(t, "front", good); code != http.StatusOK || a.Result != doors.AnswerOpened || a.JTI != jti || a.Door != "front" {
		t.Fatalf("valid token: %d %+v", code, a)
	}
	if r.out.String() != "open front\n" {
		t.Fatalf("output %q", r.out.String())
	}
	tests := []struct {
		name, door, token, result string
		code                      int
	}{
		{"replayed", "front", good, doors.AnswerDenied, http.StatusForbidden},
		{"for another door", "back", r.token(t, "front", r.now), doors.AnswerDenied, http.StatusForbidden},
		{"expired", "front", r.token(t, "front", r.now.Add(-time.Minute)), doors.AnswerDenied, http.StatusForbidden},
		{"not a token", "front", "abc.def.ghi", doors.AnswerDenied, http.StatusForbidden},
		{"a door it does not drive", "garage", r.token(t, "garage", r.now), doors.AnswerError, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a := r.press(t, tt.door, tt.token)
			if code != tt.code || a.Result != tt.result {
				t.Fatalf("%d %+v, want %d %s", code, a, tt.code, tt.result)
			}
		})
	}
	if strings.Count(r.out.String(), "open") != 1 {
		t.Fatalf("the lock was driven more than once: %q", r.out.String())
	}
}

func TestAdapterReplayIsRefusedUnderConcurrency(t *testing.T) {
	r := newRig(t)
	tok := r.token(t, "back", r.now)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i], _ = r.press(t, "back", tok) })
	}
	wg.Wait()
	opened := 0
	for _, c := range codes {
		if c == http.StatusOK {
			opened++
		}
	}
	if opened != 1 {
		t.Fatalf("one token opened %d times: %v", opened, codes)
	}
}

func TestAdapterOutputFailureIsTemporary(t *testing.T) {
	r := newRig(t)
	r.failing = true
	if code, a := r.press(t, "front", r.token(t, "front", r.now)); code != http.StatusServiceUnavailable || a.Result != doors.AnswerUnavailable {
		t.Fatalf("%d %+v", code, a)
	}
}

func TestManifestIsSignedAndListsTheDoors(t *testing.T) {
	r := newRig(t)
	resp, err := r.srv.Client().Get(r.srv.URL + "/manifest")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !doors.VerifyBody(r.key, body, resp.Header.Get(doors.SignatureHeader)) {
		t.Fatal("manifest not signed")
	}
	var m doors.Manifest
	if err := json.Unmarshal(body, &m); err != nil || len(m.Doors) != 2 || m.Doors[0] != (doors.ManifestDoor{ID: "front", Status: doors.DoorOK}) {
		t.Fatalf("manifest %s (%v)", body, err)
	}
	if d := r.now.Sub(m.At); d < -time.Second || d > time.Second {
		t.Fatalf("manifest dated %s", m.At)
	}
}

func TestExecOutput(t *testing.T) {
	if err := NewExecOutput("true").Open(context.Background(), "front"); err != nil {
		t.Fatalf("true: %v", err)
	}
	if err := NewExecOutput("false").Open(context.Background(), "front"); err == nil {
		t.Fatal("a failing command opened the door")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := NewExecOutput("sh", "-c", "sleep 5", "sh").Open(ctx, "front"); err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("a hanging command: %v after %s", err, time.Since(start))
	}
}
