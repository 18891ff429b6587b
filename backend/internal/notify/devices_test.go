package notify

import (
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestDevices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		anne, bo := e.citizen(adult), e.citizen(adult)

		// The eleventh device evicts the one registered longest ago.
		var first Device
		for i := range MaxDevices + 1 {
			_, d := e.device(anne)
			if i == 0 {
				first = d
			}
			e.clock.Advance(time.Second)
		}
		list, _ := e.devices.List(e.ctx, anne)
		if len(list) != MaxDevices {
			t.Fatalf("%d devices, want %d", len(list), MaxDevices)
		}
		for _, d := range list {
			if d.ID == first.ID {
				t.Fatal("the oldest device was kept")
			}
		}

		// The same endpoint posted by someone else moves to them (a shared browser).
		sub := e.srv.NewSubscriber()
		d1, err := e.devices.Register(e.ctx, anne, "s1", pushtest.BrowserJSON(sub), e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		d2, err := e.devices.Register(e.ctx, bo, "s2", pushtest.BrowserJSON(sub), e.clock.Now())
		if err != nil || d2.ID != d1.ID {
			t.Fatalf("re-register: %+v, %v", d2, err)
		}
		if l, _ := e.devices.List(e.ctx, bo); len(l) != 1 || *l[0].SessionHash != "s2" {
			t.Fatalf("bo's devices: %+v", l)
		}
		if err := e.devices.Forget(e.ctx, anne, d1.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("anne forgot bo's device: %v", err)
		}

		// Logout of a session forgets exactly that session's devices.
		n, err := ForgetSession(e.ctx, db, "s2")
		if err != nil || n != 1 {
			t.Fatalf("ForgetSession = %d, %v", n, err)
		}
		// anne registered an eleventh (evicting one more) and then lost it to bo: nine left.
		if l, _ := e.devices.List(e.ctx, anne); len(l) != MaxDevices-1 {
			t.Fatalf("another session's logout touched anne's devices: %d", len(l))
		}
	})
}

func TestRegisterRefusesBadBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	who := e.citizen(adult)
	good := e.srv.NewSubscriber()
	tests := []struct {
		name, body string
		code       apperr.Code
	}{
		{"not json", `{"endpoint":`, apperr.CodeBadRequest},
		{"SSRF: metadata", `{"endpoint":"https://169.254.169.254/latest/meta-data/.apple.com/","keys":{"p256dh":"` + good.P256dh + `","auth":"` + good.Auth + `"}}`, apperr.CodeInvalid},
		{"SSRF: evil host", `{"endpoint":"https://evil.example/x.google.com/","keys":{"p256dh":"` + good.P256dh + `","auth":"` + good.Auth + `"}}`, apperr.CodeInvalid},
		{"bad keys", `{"endpoint":"` + good.Endpoint + `","keys":{"p256dh":"xyz","auth":"abc"}}`, apperr.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.devices.Register(e.ctx, who, "s", []byte(tc.body), e.clock.Now()); !apperr.Is(err, tc.code) {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}
