package seed

import (
	"time"

	"minside/backend/internal/ideas"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// ideaSpec is one demo idea; ago is how long since it was sent, supporters who support it.
type ideaSpec struct {
	who, area, status, title, body string
	reason                         texts.Values // the moderator's reason (every status after received)
	hidden                         texts.Values // hidden by the moderator, with this reason
	ago                            time.Duration
	supporters                     []string
}

// ideas gives the idea channel something to show: ideas in every status, one hidden (its author,
// Lan, sees why), and supports, so "most supported" differs from "newest".
func (d *demo) ideas() {
	for _, s := range []ideaSpec{
		{who: "kari", area: "environment", status: ideas.StatusTried, ago: 40 * day,
			title: "Flere benker langs Akerselva", body: "Eldre og småbarnsforeldre trenger flere steder å hvile på turen langs elva.",
			reason:     v("Vi setter ut ti benker mellom Grünerløkka og Nydalen i sommer og ser hvordan de brukes.", "We are placing ten benches between Grünerløkka and Nydalen this summer to see how they are used."),
			supporters: []string{"ola", "ingrid", "erik", "jan", "aisha"}},
		{who: "aisha", area: "schools_kindergartens", status: ideas.StatusAssessed, ago: 12 * day,
			title: "Trygg skolevei i Toftes gate", body: "Fartsdumper og en skolepatrulje om morgenen ville gjort skoleveien tryggere.",
			reason:     v("Bymiljøetaten og skolen vurderer tiltak sammen.", "The roads agency and the school are assessing measures together."),
			supporters: []string{"kari", "fatima"}},
		{who: "maret", area: "culture_leisure", status: ideas.StatusAdopted, ago: 90 * day,
			title: "Samiske bøker på alle bibliotekfilialer", body: "Et lite utvalg samiske bøker på hver filial, ikke bare på hovedbiblioteket.",
			reason:     v("Deichman har innført en samisk hylle på alle filialer.", "Deichman has introduced a Sami shelf at every branch."),
			supporters: []string{"olena", "sigrid"}},
		{who: "piotr", area: "digital_services", status: ideas.StatusDeclined, ago: 60 * day,
			title: "Booking av idrettshall i en app", body: "En egen app for å booke idrettshaller.",
			reason: v("Booking skjer allerede i Min side; vi lager ikke en egen app.", "Booking is already in Min side; we will not make a separate app.")},
		{who: "sigrid", area: "transport", status: ideas.StatusReceived, ago: 2 * day,
			title: "Bysykkelstativ ved lesesalen", body: "Et bysykkelstativ ved universitetets lesesal på Blindern."},
		{who: "lan", area: "other", status: ideas.StatusReceived, ago: 5 * day,
			title: "Selger sykkel", body: "Brukt sykkel til salgs, ta kontakt.",
			hidden: v("Dette er en annonse, ikke en idé til kommunen.", "This is an advertisement, not an idea for the municipality.")},
	} {
		d.addIdea(s)
	}
}

func (d *demo) addIdea(s ideaSpec) {
	at := d.at(-s.ago)
	idea := ideas.Idea{ID: store.NewID(), AuthorID: d.who[s.who], District: d.district(s.who), Area: s.area, Title: s.title, Body: s.body,
		Status: s.status, SupportCount: int64(len(s.supporters)), CreatedAt: at, UpdatedAt: at}
	if s.reason != nil || s.hidden != nil {
		moderator := d.b.agency[AgencyInnolab]
		idea.ModeratedBy, idea.UpdatedAt = &moderator, d.at(-s.ago/2)
	}
	if s.hidden != nil {
		hiddenAt := idea.UpdatedAt
		idea.HiddenAt = &hiddenAt
		d.r.text(ideas.TextOwner, idea.ID, ideas.FieldHiddenReason, s.hidden)
	}
	if s.reason != nil {
		d.r.text(ideas.TextOwner, idea.ID, ideas.FieldStatusReason, s.reason)
	}
	d.r.ideas = append(d.r.ideas, idea)
	for _, who := range s.supporters {
		d.r.ideaSupports = append(d.r.ideaSupports, ideas.Support{IdeaID: idea.ID, CitizenID: d.who[who], CreatedAt: at})
	}
}

// district is the demo person's district.
func (d *demo) district(who string) string {
	for _, p := range personas {
		if p.key == who {
			return p.district
		}
	}
	return ""
}
