package seed

import (
	"maps"
	"slices"
	"time"

	"minside/backend/internal/ingest"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// StoryRule is one of the demo municipality's suggestion rules, as its agency publishes it. Together
// they tell Oslo's "Historien om Tim" across a life: a birth in the household, school start, building
// on the house, a key that runs out, growing old. Most are state rules (shown while the condition
// holds, withdrawn when it stops), so a missed event or a restart never loses one: the daily sweep
// finds them again.
type StoryRule struct {
	Agency, ID                                string
	AppliesTo, Category, Area                 string
	Events                                    []string // empty: a state rule
	Condition                                 string
	Action                                    suggest.Action
	Title, Body, Why, LegalBasis, ActionLabel texts.Values
}

// Fields are the rule's texts as stored (owner kind "rule").
func (r StoryRule) Fields() texts.Fields {
	f := texts.Fields{"title": r.Title, "body": r.Body, "why": r.Why, "action_label": r.ActionLabel}
	if len(r.LegalBasis) > 0 {
		f["legal_basis"] = r.LegalBasis
	}
	return f
}

// buildingPermitDecided is what "after a building permit" means for what comes next: within a year
// of the decision.
const buildingPermitDecided = `case.kind == "building_permit" && case.decided && daysBetween(case.decidedAt, now) <= 365`

const page = "https://www.example.kommune.no/"

// StoryRules are the demo's rules; the scenario test publishes the same ones through the agency API.
func StoryRules() []StoryRule {
	return []StoryRule{
		{
			// A birth: the guardianship of a newborn is registered. Withdrawn once the person has a
			// kindergarten case (applied, offered, accepted).
			Agency: AgencyKindergarten, ID: "sok-barnehageplass", AppliesTo: "child", Category: "family", Area: "kindergarten",
			Events:    []string{"child.born"},
			Condition: `child.guardian && child.age < 5 && !cases.exists(c, c.kind == "kindergarten_admission" && c.status != "closed")`,
			Action:    suggest.Action{Type: "link", Link: page + "barnehage/sok", Prefill: map[string]string{"barn": "{child.name}"}},
			Title:     texts.Values{"nb": "Søk barnehageplass", "nn": "Søk barnehageplass", "en": "Apply for a kindergarten place"},
			Body: texts.Values{"nb": "Barn som fyller ett år innen utgangen av november, har rett til plass fra august. Hovedopptaket har frist 1. mars.",
				"nn": "Born som fyller eitt år innan utgangen av november, har rett til plass frå august. Hovudopptaket har frist 1. mars.",
				"en": "Children who turn one by the end of November have a right to a place from August. The main admission deadline is 1 March."},
			Why: texts.Values{"nb": "Fordi {child.name} ble født {child.birthDate}, du er foresatt, og vi ser ingen barnehagesøknad.",
				"nn": "Fordi {child.name} vart fødd {child.birthDate}, du er føresett, og vi ser inga barnehagesøknad.",
				"en": "Because {child.name} was born on {child.birthDate}, you are their guardian, and we see no kindergarten application."},
			LegalBasis: texts.Values{"nb": "Barnehageloven § 16 (rett til plass i barnehage)", "nn": "Barnehagelova § 16 (rett til plass i barnehage)",
				"en": "Kindergarten Act section 16 (right to a place)"},
			ActionLabel: texts.Values{"nb": "Søk plass", "nn": "Søk plass", "en": "Apply"},
		},
		{
			// The year the child is five: enrolment for school start the August after they turn six
			// is due; gone when they turn six or an enrolment case exists.
			Agency: AgencySchool, ID: "skolestart", AppliesTo: "child", Category: "family", Area: "school",
			Condition: `child.guardian && child.age == 5 && !cases.exists(c, c.kind == "school_enrolment")`,
			Action:    suggest.Action{Type: "link", Link: page + "skole/innskriving", Prefill: map[string]string{"barn": "{child.name}"}},
			Title:     texts.Values{"nb": "Skolestart: skriv inn barnet", "nn": "Skulestart: skriv inn barnet", "en": "Starting school: enrol your child"},
			Body: texts.Values{"nb": "Barn begynner på skolen det året de fyller seks. Innskrivingen er i januar.",
				"nn": "Born byrjar på skulen det året dei fyller seks. Innskrivinga er i januar.",
				"en": "Children start school the year they turn six. Enrolment is in January."},
			Why: texts.Values{"nb": "Fordi {child.name} fyller 6 år {birthday(child.birthDate, 6)}, og du er foresatt.",
				"nn": "Fordi {child.name} fyller 6 år {birthday(child.birthDate, 6)}, og du er føresett.",
				"en": "Because {child.name} turns 6 on {birthday(child.birthDate, 6)}, and you are their guardian."},
			LegalBasis: texts.Values{"nb": "Opplæringslova § 2-1 (rett og plikt til grunnskoleopplæring)", "nn": "Opplæringslova § 2-1 (rett og plikt til grunnskuleopplæring)",
				"en": "Education Act section 2-1 (right and duty to primary education)"},
			ActionLabel: texts.Values{"nb": "Skriv inn", "nn": "Skriv inn", "en": "Enrol"},
		},
		{
			Agency: AgencyBuilding, ID: "etter-byggesak-vann-avlop", AppliesTo: "case", Category: "home", Area: "building",
			Condition: buildingPermitDecided + ` && !cases.exists(c, c.kind == "water_connection")`,
			Action:    suggest.Action{Type: "link", Link: page + "vann-og-avlop/tilknytning"},
			Title:     texts.Values{"nb": "Koble bygget til vann og avløp", "nn": "Kople bygget til vatn og avlaup", "en": "Connect the building to water and sewer"},
			Body: texts.Values{"nb": "Rørleggeren din sender søknaden om tilknytning før arbeidet starter.",
				"nn": "Røyrleggjaren din sender søknaden om tilknyting før arbeidet startar.",
				"en": "Your plumber sends the connection application before work starts."},
			Why: texts.Values{"nb": "Fordi byggesaken din ble avgjort {case.decidedAt}.", "nn": "Fordi byggjesaka di vart avgjord {case.decidedAt}.",
				"en": "Because your building permit was decided on {case.decidedAt}."},
			LegalBasis:  texts.Values{"nb": "Plan- og bygningsloven § 27-1", "nn": "Plan- og bygningslova § 27-1", "en": "Planning and Building Act section 27-1"},
			ActionLabel: texts.Values{"nb": "Les om tilknytning", "nn": "Les om tilknyting", "en": "Read about connecting"},
		},
		{
			Agency: AgencyBuilding, ID: "etter-byggesak-eiendomsskatt", AppliesTo: "case", Category: "home", Area: "building",
			Condition: buildingPermitDecided,
			Action:    suggest.Action{Type: "link", Link: page + "eiendomsskatt"},
			Title:     texts.Values{"nb": "Eiendomsskatt etter ombygging", "nn": "Eigedomsskatt etter ombygging", "en": "Property tax after building work"},
			Body: texts.Values{"nb": "Når bygget er ferdig, kan boligens verdi og eiendomsskatten endre seg. Sjekk at opplysningene stemmer.",
				"nn": "Når bygget er ferdig, kan verdien på bustaden og eigedomsskatten endre seg. Sjekk at opplysningane stemmer.",
				"en": "When the building work is finished, your home's value and property tax may change. Check that the details are right."},
			Why: texts.Values{"nb": "Fordi byggesaken din ble avgjort {case.decidedAt}.", "nn": "Fordi byggjesaka di vart avgjord {case.decidedAt}.",
				"en": "Because your building permit was decided on {case.decidedAt}."},
			LegalBasis:  texts.Values{"nb": "Eigedomsskattelova § 8 A-3", "nn": "Eigedomsskattelova § 8 A-3", "en": "Property Tax Act section 8 A-3"},
			ActionLabel: texts.Values{"nb": "Se eiendomsskatten", "nn": "Sjå eigedomsskatten", "en": "See your property tax"},
		},
		{
			Agency: AgencyWaste, ID: "etter-byggesak-avfallsbeholder", AppliesTo: "case", Category: "home", Area: "waste",
			Condition: buildingPermitDecided + ` && !cases.exists(c, c.kind == "waste_subscription")`,
			Action:    suggest.Action{Type: "link", Link: page + "avfall/beholder"},
			Title:     texts.Values{"nb": "Bestill avfallsbeholder", "nn": "Bestill avfallsbehaldar", "en": "Order a waste bin"},
			Body: texts.Values{"nb": "Et nytt bygg eller en ny boenhet trenger egne beholdere for rest, papir og glass.",
				"nn": "Eit nytt bygg eller ei ny bueining treng eigne behaldarar for rest, papir og glas.",
				"en": "A new building or dwelling needs its own bins for residual waste, paper and glass."},
			Why: texts.Values{"nb": "Fordi byggesaken din ble avgjort {case.decidedAt}, og du har ikke et avfallsabonnement for bygget.",
				"nn": "Fordi byggjesaka di vart avgjord {case.decidedAt}, og du har ikkje eit avfallsabonnement for bygget.",
				"en": "Because your building permit was decided on {case.decidedAt}, and you have no waste subscription for the building."},
			LegalBasis:  texts.Values{"nb": "Forurensningsloven § 30", "nn": "Forureiningslova § 30", "en": "Pollution Control Act section 30"},
			ActionLabel: texts.Values{"nb": "Bestill beholder", "nn": "Bestill behaldar", "en": "Order a bin"},
		},
		{
			// Two weeks before a library card's key runs out: a key for months (not a booked room's key,
			// not a few opening windows); a renewed key (a later valid-until) withdraws it.
			Agency: AgencyLibrary, ID: "forny-nokkel", AppliesTo: "key", Category: "culture", Area: "culture",
			Condition: `key.agency == "bibliotek" && key.status == "active" && !key.forBooking && daysBetween(key.validFrom, key.validUntil) >= 60 &&
  daysBetween(now, key.validUntil) >= 0 && daysBetween(now, key.validUntil) <= 14`,
			Action: suggest.Action{Type: "renew_key", Link: page + "deichman/lanekort"},
			Title:  texts.Values{"nb": "Forny nøkkelen til biblioteket", "nn": "Forny nøkkelen til biblioteket", "en": "Renew your library key"},
			Body: texts.Values{"nb": "Med fornyet nøkkel kan du fortsatt bruke meråpent bibliotek.",
				"nn": "Med fornya nøkkel kan du framleis bruke meirope bibliotek.",
				"en": "With a renewed key you can keep using the self-service library."},
			Why: texts.Values{"nb": "Fordi nøkkelen din til {key.facility} slutter å virke {key.validUntil}.",
				"nn": "Fordi nøkkelen din til {key.facility} sluttar å verke {key.validUntil}.",
				"en": "Because your key to {key.facility} stops working on {key.validUntil}."},
			ActionLabel: texts.Values{"nb": "Forny", "nn": "Forny", "en": "Renew"},
		},
		{
			Agency: AgencyHealth, ID: "trygghetsalarm", AppliesTo: "person", Category: "health", Area: "health",
			Condition: `person.age >= 67 && !cases.exists(c, c.kind == "safety_alarm")`,
			Action:    suggest.Action{Type: "link", Link: page + "helse/trygghetsalarm"},
			Title:     texts.Values{"nb": "Trygghetsalarm", "nn": "Tryggleiksalarm", "en": "Personal safety alarm"},
			Body: texts.Values{"nb": "Få hjelp raskt hvis du faller eller blir syk hjemme.", "nn": "Få hjelp raskt om du fell eller blir sjuk heime.",
				"en": "Get help quickly if you fall or fall ill at home."},
			Why: texts.Values{"nb": "Fordi du er {person.age} år.", "nn": "Fordi du er {person.age} år.", "en": "Because you are {person.age}."},
			LegalBasis: texts.Values{"nb": "Helse- og omsorgstjenesteloven § 3-1 (kommunens ansvar)", "nn": "Helse- og omsorgstenestelova § 3-1 (ansvaret til kommunen)",
				"en": "Health and Care Services Act section 3-1 (the municipality's duty)"},
			ActionLabel: texts.Values{"nb": "Søk om alarm", "nn": "Søk om alarm", "en": "Apply for an alarm"},
		},
		{
			Agency: AgencyHealth, ID: "hjemmehjelp", AppliesTo: "person", Category: "health", Area: "health",
			Condition: `person.age >= 67 && !cases.exists(c, c.kind == "home_care")`,
			Action:    suggest.Action{Type: "link", Link: page + "helse/hjemmetjenester"},
			Title:     texts.Values{"nb": "Hjelp i hjemmet", "nn": "Hjelp i heimen", "en": "Help at home"},
			Body: texts.Values{"nb": "Praktisk bistand og hjemmesykepleie når hverdagen blir tyngre.",
				"nn": "Praktisk bistand og heimesjukepleie når kvardagen blir tyngre.",
				"en": "Practical help and home nursing when everyday life gets harder."},
			Why: texts.Values{"nb": "Fordi du er {person.age} år og ikke har hjemmetjenester.", "nn": "Fordi du er {person.age} år og ikkje har heimetenester.",
				"en": "Because you are {person.age} and have no home care services."},
			LegalBasis: texts.Values{"nb": "Helse- og omsorgstjenesteloven § 3-2 (hjemmetjenester)", "nn": "Helse- og omsorgstenestelova § 3-2 (heimetenester)",
				"en": "Health and Care Services Act section 3-2 (home services)"},
			ActionLabel: texts.Values{"nb": "Søk om hjelp", "nn": "Søk om hjelp", "en": "Apply for help"},
		},
	}
}

// addRules publishes the story's rules in the demo, registered as their agencies' own records (the
// agency API and console read and update them); the app evaluates them right after seeding.
func addRules(r *rows, b *base, now time.Time) error {
	env, err := suggest.NewEnv()
	if err != nil {
		return err
	}
	now = store.UTC(now)
	for _, s := range StoryRules() {
		events := s.Events
		if events == nil {
			events = []string{}
		}
		rule := suggest.RuleRow{ID: store.NewID(), AgencyID: b.agency[s.Agency], ExternalID: s.ID, Version: 1,
			Status: suggest.RulePublished, Category: s.Category, Area: s.Area, AppliesTo: s.AppliesTo, Events: events,
			Condition: s.Condition, Action: s.Action, CreatedAt: now, UpdatedAt: now}
		r.rules = append(r.rules, rule)
		fields := s.Fields()
		for _, field := range slices.Sorted(maps.Keys(fields)) { // a deterministic seed
			r.text("rule", rule.ID, field, fields[field])
		}
		r.records = append(r.records, ingest.Imported{AgencyID: rule.AgencyID, Kind: ingest.KindRules, ExternalID: s.ID,
			ObjectID: rule.ID, At: now, Rules: env, Record: ingest.RuleRecord{Status: rule.Status, Category: s.Category,
				Area: s.Area, AppliesTo: s.AppliesTo, Events: s.Events, Condition: s.Condition, Version: rule.Version,
				Texts:  ingest.RuleTexts{Title: s.Title, Body: s.Body, Why: s.Why, LegalBasis: s.LegalBasis, ActionLabel: s.ActionLabel},
				Action: ingest.RuleAction{Type: s.Action.Type, Link: s.Action.Link, Prefill: s.Action.Prefill}}})
	}
	return nil
}
