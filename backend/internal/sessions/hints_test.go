package sessions

import (
	"testing"
	"time"

	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
)

func TestAHintMatchesTheSameSessionReadAgain(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	until := at.AddDate(10, 0, 0)
	request := func(loc *time.Location) *Request {
		acting := "child"
		return &Request{
			Session:  &Session{IDHash: "h", CitizenID: "me", ActingAsID: &acting, ACR: "high", CreatedAt: at.In(loc), LastSeenAt: at, IdleExpiresAt: at},
			Language: "nn",
			People:   []citizens.Citizen{{ID: "me", Name: "Kari", BirthDate: at.In(loc)}},
			Roles:    []citizens.Role{{CitizenID: "me", Role: "translator", Scope: "se"}},
			Represents: []represent.Represented{{Subject: &citizens.Citizen{ID: "child", Name: "Ola"}, Relation: represent.KindGuardian,
				Areas: []string{"school"}, ValidUntil: &until}},
		}
	}
	hint := request(time.UTC)
	again := request(time.FixedZone("", 0)) // PostgreSQL's JSON: the same instants in another location
	again.Session.LastSeenAt, again.Session.IdleExpiresAt = at.Add(time.Minute), at.Add(31*time.Minute)
	if !hint.Matches(again) {
		t.Error("the same session read again (its touch slid) does not match its hint")
	}
	changes := map[string]func(r *Request){
		"ended":           func(r *Request) { r.Session = nil },
		"language":        func(r *Request) { r.Language = "se" },
		"name":            func(r *Request) { r.People[0].Name = "Kari Nordmann" },
		"acting as":       func(r *Request) { r.Session.ActingAsID = nil },
		"login level":     func(r *Request) { r.Session.ACR = "substantial" },
		"role":            func(r *Request) { r.Roles = nil },
		"relation areas":  func(r *Request) { r.Represents[0].Areas = nil },
		"relation end":    func(r *Request) { later := until.Add(time.Hour); r.Represents[0].ValidUntil = &later },
		"another session": func(r *Request) { r.Session.IDHash = "other" },
	}
	for what, change := range changes {
		fresh := request(time.UTC)
		change(fresh)
		if hint.Matches(fresh) {
			t.Errorf("a session whose %s changed still matches its hint", what)
		}
	}
	if hint.Matches(nil) {
		t.Error("no session matches a hint")
	}
}
