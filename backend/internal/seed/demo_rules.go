package seed

import (
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// ruleSpec is one proactive rule of the demo municipality, with the texts its agency wrote.
type ruleSpec struct {
	agency, externalID, category, area, subject string
	events                                      []string // empty: a state rule
	condition                                   string
	action                                      suggest.Action
	texts                                       texts.Fields // title, body, why, legal_basis, action_label
}

// demoRules are the demo municipality's rules. Each is a real rule the engine evaluates; the seed
// also writes the suggestions they hold for the demo people at seeding time (as the engine would
// have made them), so the demo shows them before the first sweep.
var demoRules = []ruleSpec{
	{agency: AgencySchool, externalID: "skoleinnskriving", category: "school", area: "school", subject: "child",
		condition: "child.guardian && child.age >= 4 && child.age < 6",
		action: suggest.Action{Type: "link", Link: "https://www.example.kommune.no/skole/innskriving",
			Prefill: map[string]string{"barn": "{child.name}"}},
		texts: texts.Fields{
			"title": {"nb": "Skolestart? Meld på til skoleinnskriving", "nn": "Skulestart? Meld på til skuleinnskriving",
				"en": "Starting school? Enrol your child"},
			"body": {"nb": "Barn begynner på skolen det året de fyller 6. Innskrivingen er året før.",
				"en": "Children start school the year they turn 6. Enrolment is the year before."},
			"why": {"nb": "Fordi du er foresatt for {child.name}, som er født {child.birthDate} og er {child.age} år.",
				"en": "Because you are the guardian of {child.name}, who was born on {child.birthDate} and is {child.age}."},
			"legal_basis":  {"nb": "Opplæringslova § 2-1 (skoleplikt og rett til grunnskoleopplæring)"},
			"action_label": {"nb": "Meld på", "en": "Enrol"},
		}},
}

// rules adds the demo rules and, for each child of a demo parent a child rule holds for now, its
// suggestion. Only child rules whose condition the seed can tell without the engine are written
// with suggestions here; the engine keeps them from then on.
func (d *demo) rules() {
	for _, spec := range demoRules {
		r := suggest.RuleRow{ID: store.NewID(), AgencyID: d.b.agency[spec.agency], ExternalID: spec.externalID, Version: 1,
			Status: suggest.RulePublished, Category: spec.category, Area: spec.area, AppliesTo: spec.subject,
			Events: append([]string{}, spec.events...), Condition: spec.condition, Action: spec.action, CreatedAt: d.now, UpdatedAt: d.now}
		d.r.rules = append(d.r.rules, r)
		for field, values := range spec.texts {
			d.r.text("rule", r.ID, field, values)
		}
	}
	// skoleinnskriving: Kari's children aged 4 or 5.
	school := d.r.rules[0]
	for _, child := range []string{"emma", "jonas"} {
		p := personaOf(child)
		birth := store.UTC(p.born)
		age := float64(tiles.AgeAt(birth, d.now))
		if age < 4 || age >= 6 {
			continue
		}
		values := map[string]suggest.Value{"child.name": {Text: p.name}, "child.birthDate": {Date: &birth}, "child.age": {Num: &age}}
		row := suggest.Row{ID: store.NewID(), RuleID: school.ID, CitizenID: d.who["kari"], Occurrence: d.who[child],
			State: suggest.StateActive, Facts: values, CreatedAt: d.now, UpdatedAt: d.now}
		d.r.suggestions = append(d.r.suggestions, row)
		d.changed("kari", "suggestion", row.ID)
	}
}

func personaOf(key string) persona {
	for _, p := range personas {
		if p.key == key {
			return p
		}
	}
	panic("seed: no persona " + key)
}
