package seed

import (
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/keys"
	"minside/backend/internal/texts"
)

// v builds texts in Norwegian Bokmål and English, the two languages every demo text has.
func v(nb, en string) texts.Values { return texts.Values{"nb": nb, "en": en} }

const hour = time.Hour

// items adds the cases, bookings, keys and notifications of the demo persons.
func (d *demo) items() {
	d.cases()
	d.garage()
	d.extension()
	d.oneCaseErrands()
	d.bookingsAndKeys()
	d.notifications()
	d.tasks()
	d.ideas()
	d.reportServices()
}

func (d *demo) cases() {
	received := v("Søknaden er mottatt", "Application received")
	inProgress := v("Saken er under behandling", "Your case is being processed")
	for _, s := range []caseSpec{
		{who: "kari", agency: AgencyKindergarten, kind: "kindergarten_admission", area: "kindergarten", status: cases.StatusAwaitingCitizen,
			title:       texts.Values{"nb": "Barnehageplass for Jonas – tilbud", "nn": "Barnehageplass for Jonas – tilbod", "en": "Kindergarten place for Jonas – offer"},
			titlePublic: v("Barnehagesak", "Kindergarten case"),
			nextAction:  texts.Values{"nb": "Svar på tilbudet om plass i Frognerparken barnehage", "nn": "Svar på tilbodet om plass i Frognerparken barnehage", "en": "Reply to the offer of a place at Frognerparken kindergarten"},
			due:         durp(3 * day),
			events: []event{{20 * day, cases.StatusReceived, received, nil},
				{9 * day, cases.StatusInProgress, inProgress, nil},
				{1 * day, cases.StatusAwaitingCitizen, v("Tilbud om barnehageplass", "Offer of a kindergarten place"),
					v("Svar innen fristen, ellers går plassen videre.", "Reply before the deadline, or the place goes to the next applicant.")}},
			documents: []string{"Tilbudsbrev.pdf"}},
		{who: "kari", agency: AgencyBuilding, kind: "building_permit", area: "building", status: cases.StatusInProgress,
			title: v("Byggesøknad: tilbygg, Gyldenløves gate 12", "Building permit: extension, Gyldenløves gate 12"),
			events: []event{{45 * day, cases.StatusReceived, received, nil},
				{30 * day, "", v("Nabovarsel registrert", "Neighbour notice registered"), nil},
				{12 * day, cases.StatusInProgress, inProgress, v("Forventet svar innen 12 uker.", "Expected answer within 12 weeks.")}},
			documents: []string{"Søknad.pdf", "Situasjonsplan.pdf"}},
		{who: "kari", agency: AgencyHealth, kind: "vaccination", area: "health", status: cases.StatusClosed,
			title: v("Influensavaksine 2026", "Flu vaccine 2026"),
			events: []event{{60 * day, cases.StatusReceived, v("Timen er bestilt", "Appointment booked"), nil},
				{40 * day, cases.StatusClosed, v("Vaksinen er satt", "Vaccine given"), nil}}},
		{who: "emma", agency: AgencySchool, kind: "school_transfer", area: "school", status: cases.StatusDecided,
			title: v("Skolebytte til Uranienborg skole", "School transfer to Uranienborg school"),
			events: []event{{50 * day, cases.StatusReceived, received, nil},
				{30 * day, cases.StatusInProgress, inProgress, nil},
				{6 * day, cases.StatusDecided, v("Vedtak: søknaden er innvilget", "Decision: the application is granted"),
					v("Emma kan begynne 4. januar.", "Emma may start on 4 January.")}},
			documents: []string{"Vedtak.pdf"}},
		{who: "ola", agency: AgencyBuilding, kind: "building_permit", area: "building", status: cases.StatusAwaitingCitizen,
			title:      v("Byggesøknad: garasje, Kirkeveien 88", "Building permit: garage, Kirkeveien 88"),
			nextAction: v("Send inn oppdatert situasjonsplan", "Send an updated site plan"), due: durp(5 * day),
			events: []event{{25 * day, cases.StatusReceived, received, nil},
				{10 * day, cases.StatusInProgress, inProgress, nil},
				{2 * day, cases.StatusAwaitingCitizen, v("Vi mangler dokumentasjon", "We need more documentation"), nil}},
			documents: []string{"Mangelbrev.pdf"}, acknowledge: "Mangelbrev.pdf"},
		{who: "yusuf", agency: AgencySchool, kind: "after_school", area: "school", status: cases.StatusReceived,
			title:  v("Søknad om ungdomsklubb", "Application for the youth club"),
			events: []event{{2 * day, cases.StatusReceived, received, nil}}},
		{who: "sara", agency: AgencyCulture, kind: "grant", area: "culture", status: cases.StatusInProgress,
			title: v("Søknad om talentstipend", "Application for a talent grant"),
			events: []event{{15 * day, cases.StatusReceived, received, nil},
				{4 * day, cases.StatusInProgress, inProgress, nil}}},
		{who: "ingrid", agency: AgencyHealth, kind: "nursing_home", area: "health", status: cases.StatusInProgress,
			title:       v("Søknad om langtidsopphold på sykehjem", "Application for a long-term nursing home place"),
			titlePublic: v("Helsesak", "Health case"),
			events: []event{{35 * day, cases.StatusReceived, received, nil},
				{28 * day, "", v("Kartleggingssamtale gjennomført", "Assessment interview held"), nil},
				{14 * day, cases.StatusInProgress, inProgress, nil},
				{3 * day, "", v("Legeerklæring mottatt", "Doctor's statement received"), nil}},
			documents: []string{"Søknad.pdf", "Legeerklæring.pdf"}},
		// Sensitive: a MinID login (below MINSIDE_STEP_UP_ACR=idporten-loa-high) sees only that a
		// case from Helseetaten exists; Lars, who acts for her in health, sees it the same way.
		{who: "ingrid", agency: AgencyHealth, kind: "memory_assessment", area: "health", status: cases.StatusInProgress, sensitive: true,
			title: v("Utredning av hukommelsen", "Memory assessment"),
			events: []event{{10 * day, cases.StatusReceived, v("Henvisning fra fastlegen mottatt", "Referral from your GP received"), nil},
				{2 * day, cases.StatusInProgress, v("Time hos hukommelsesteamet er satt opp", "An appointment with the memory team is booked"), nil}},
			documents: []string{"Henvisning.pdf"}},
		{who: "ingrid", agency: AgencyHealth, kind: "home_care", area: "health", status: cases.StatusDecided,
			title:       v("Hjemmesykepleie", "Home nursing"),
			titlePublic: v("Helsesak", "Health case"),
			events: []event{{120 * day, cases.StatusReceived, received, nil},
				{100 * day, cases.StatusDecided, v("Vedtak: hjemmesykepleie to ganger daglig", "Decision: home nursing twice a day"), nil}},
			documents: []string{"Vedtak.pdf"}},
		{who: "berit", agency: AgencyBuilding, kind: "property_tax", area: "building", status: cases.StatusClosed,
			title: v("Klage på eiendomsskatt", "Complaint about property tax"),
			events: []event{{300 * day, cases.StatusReceived, received, nil},
				{200 * day, cases.StatusDecided, v("Klagen er behandlet", "The complaint has been decided"), nil},
				{150 * day, cases.StatusClosed, v("Saken er avsluttet", "Case closed"), nil}}},
		{who: "mohammed", agency: AgencyBuilding, kind: "building_permit", area: "building", status: cases.StatusDecided,
			title: v("Byggesøknad: terrasse, Stovner", "Building permit: terrace, Stovner"),
			events: []event{{70 * day, cases.StatusReceived, received, nil},
				{50 * day, cases.StatusInProgress, inProgress, nil},
				{8 * day, cases.StatusDecided, v("Vedtak: tillatelse gitt", "Decision: permit granted"), nil}},
			documents: []string{"Vedtak.pdf", "Godkjente tegninger.pdf"}},
		{who: "mohammed", agency: AgencyWaste, kind: "waste_subscription", area: "waste", status: cases.StatusReceived,
			title:  v("Bestilling av større avfallsbeholder", "Order for a larger waste bin"),
			events: []event{{1 * day, cases.StatusReceived, received, nil}}},
		{who: "fatima", agency: AgencyKindergarten, kind: "kindergarten_admission", area: "kindergarten", status: cases.StatusInProgress,
			title: texts.Values{"nb": "Barnehageplass for Amina", "nn": "Barnehageplass for Amina", "en": "Kindergarten place for Amina"},
			events: []event{{40 * day, cases.StatusReceived, received, nil},
				{18 * day, cases.StatusInProgress, inProgress, nil}}},
		{who: "maret", agency: AgencyCulture, kind: "grant", area: "culture", status: cases.StatusReceived,
			title:  texts.Values{"nb": "Søknad om kulturstipend", "en": "Application for a culture grant", "se": "Ohcan kulturstipeanda"},
			events: []event{{3 * day, cases.StatusReceived, received, nil}}},
		{who: "erik", agency: AgencyDistrict, kind: "parking_permit", area: "other", status: cases.StatusClosed,
			title: v("Beboerparkering sone Nordstrand", "Resident parking, Nordstrand zone"),
			events: []event{{90 * day, cases.StatusReceived, received, nil},
				{85 * day, cases.StatusDecided, v("Tillatelse gitt", "Permit granted"), nil},
				{10 * day, cases.StatusClosed, v("Tillatelsen er utløpt", "The permit has expired"), nil}}},
		{who: "jan", agency: AgencyHealth, kind: "home_care", area: "health", status: cases.StatusAwaitingCitizen,
			title:      v("Søknad om praktisk bistand i hjemmet", "Application for practical help at home"),
			nextAction: v("Bekreft tidspunkt for hjemmebesøk", "Confirm the time of the home visit"), due: durp(2 * day),
			events: []event{{12 * day, cases.StatusReceived, received, nil},
				{5 * day, cases.StatusInProgress, inProgress, nil},
				{1 * day, cases.StatusAwaitingCitizen, v("Vi vil gjerne komme på hjemmebesøk", "We would like to visit you at home"), nil}}},
	} {
		d.addCase(s)
	}
}

func (d *demo) bookingsAndKeys() {
	const toyen, toyenAddr = "Deichman Tøyen", "Hagegata 30, 0653 Oslo"
	groupRoom := texts.Values{"nb": "Grupperom 3", "nn": "Grupperom 3", "en": "Group room 3"}
	hall := v("Idrettshall, halv bane", "Sports hall, half court")
	for _, s := range []bookingSpec{
		{who: "kari", agency: AgencyLibrary, area: "library", place: toyen, address: toyenAddr, status: bookings.StatusConfirmed,
			resource: groupRoom, start: 2*day + 17*hour, length: 2 * hour, cancellableBefore: durp(24 * hour)},
		{who: "lan", agency: AgencyLibrary, area: "library", place: toyen, address: toyenAddr, status: bookings.StatusConfirmed,
			resource: groupRoom, start: 4*hour + 30*time.Minute, length: 2 * hour, cancellableBefore: durp(2 * hour)},
		{who: "lan", agency: AgencyLibrary, area: "library", place: toyen, address: toyenAddr, status: bookings.StatusCompleted,
			resource: groupRoom, start: -6 * day, length: 3 * hour},
		{who: "sigrid", agency: AgencyLibrary, area: "library", place: "Deichman Bjørvika", address: "Anne-Cath. Vestlys plass 1, 0150 Oslo",
			status: bookings.StatusCancelled, resource: v("Lesesal, plass 14", "Reading room, seat 14"), start: 1 * day, length: 4 * hour,
			cancellableBefore: durp(12 * hour)},
		{who: "piotr", agency: AgencyCulture, area: "culture", place: "Bjerkehallen", address: "Refstadveien 64, 0589 Oslo",
			status: bookings.StatusConfirmed, resource: hall, start: 3*day + 19*hour, length: 90 * time.Minute},
		{who: "piotr", agency: AgencyCulture, area: "culture", place: "Bjerkehallen", address: "Refstadveien 64, 0589 Oslo",
			status: bookings.StatusConfirmed, resource: hall, start: 10*day + 19*hour, length: 90 * time.Minute, cancellableBefore: durp(7 * day)},
		{who: "piotr", agency: AgencyCulture, area: "culture", place: "Bjerkehallen", address: "Refstadveien 64, 0589 Oslo",
			status: bookings.StatusCompleted, resource: hall, start: -4*day + 19*hour, length: 90 * time.Minute},
		{who: "per", agency: AgencyCulture, area: "culture", place: "Furuset forum", address: "Trygve Lies plass 1, 1051 Oslo",
			status: bookings.StatusConfirmed, resource: v("Badmintonbane 2", "Badminton court 2"), start: 1*day + 18*hour, length: hour,
			cancellableBefore: durp(6 * hour)},
		{who: "erik", agency: AgencyCulture, area: "culture", place: "Ekebergsletta", address: "Kongsveien 80, 1178 Oslo",
			status: bookings.StatusConfirmed, resource: v("Grillplass ved ballbanen", "Barbecue area by the pitch"), start: 5*day + 15*hour,
			length: 4 * hour, cancellableBefore: durp(48 * hour)},
		{who: "per", agency: AgencyCulture, area: "culture", place: "Ekebergsletta", address: "Kongsveien 80, 1178 Oslo",
			status: bookings.StatusCompleted, resource: v("Grillplass ved ballbanen", "Barbecue area by the pitch"), start: -20 * day, length: 3 * hour},
	} {
		d.addBooking(s)
	}
	// The meeting room booking carries a key that opens from 15 minutes before until 2 hours after.
	room := d.addBooking(bookingSpec{who: "ola", agency: AgencyDistrict, area: "other", place: "Frogner bydelshus",
		address: "Sørkedalsveien 3, 0369 Oslo", status: bookings.StatusConfirmed, resource: v("Møterom 2", "Meeting room 2"),
		start: 1*day + 18*hour, length: 2 * hour, cancellableBefore: durp(24 * hour)})
	roomStart, roomEnd := room.StartsAt.Sub(d.now), room.EndsAt.Sub(d.now)
	d.addKey("ola", "frogner-motorom", []string{"main", "room"}, keys.StatusActive, &room,
		[2]time.Duration{roomStart - 15*time.Minute, roomEnd + 2*hour})

	// Self-service library: open now, and a key whose next window starts next week.
	d.addKey("lan", "deichman-toyen", []string{"main", "side"}, keys.StatusActive, nil,
		[2]time.Duration{-2 * hour, 8 * hour}, [2]time.Duration{day - 2*hour, day + 8*hour})
	d.addKey("kari", "deichman-toyen", []string{"main"}, keys.StatusActive, nil,
		[2]time.Duration{7 * day, 7*day + 12*hour})
	d.addKey("mohammed", "mini-gronland", []string{"gate"}, keys.StatusActive, nil,
		[2]time.Duration{-30 * day, 335 * day})
	d.addKey("sigrid", "deichman-toyen", []string{"main", "side"}, keys.StatusActive, nil, // its only window is over
		[2]time.Duration{-60 * day, -30 * day})
	d.addKey("yusuf", "deichman-toyen", []string{"main"}, keys.StatusActive, nil,
		[2]time.Duration{-1 * hour, 5 * hour})
}

func (d *demo) notifications() {
	inbox := "https://innsyn.example.kommune.no/"
	for _, s := range []notificationSpec{
		{who: "kari", agency: AgencyKindergarten, category: "cases", urgency: "high", link: inbox + "barnehage",
			ago: 1 * day, title: texts.Values{"nb": "Frist om 3 dager: svar på barnehageplass", "nn": "Frist om 3 dagar: svar på barnehageplass", "en": "Deadline in 3 days: reply to the kindergarten offer"},
			body: v("Svarer du ikke innen fristen, går plassen videre.", "If you do not reply in time, the place goes to the next applicant.")},
		{who: "kari", agency: AgencyLibrary, category: "bookings", urgency: "normal", ago: 3 * day, read: true,
			title: v("Grupperom bekreftet", "Group room confirmed"), body: v("Grupperom 3 på Deichman Tøyen er ditt.", "Group room 3 at Deichman Tøyen is yours.")},
		{who: "kari", agency: AgencyLibrary, category: "keys", urgency: "normal", ago: 5 * day, read: true,
			title: v("Ny nøkkel: Deichman Tøyen", "New key: Deichman Tøyen"), body: v("Du kan låse deg inn med Min side.", "You can let yourself in with Min side.")},
		{who: "kari", category: "general", urgency: "low", ago: 10 * day, read: true,
			title: v("Velkommen til Min side", "Welcome to Min side"), body: v("Her ser du alt kommunen har om deg.", "Here you see everything the municipality holds about you.")},
		{who: "ola", agency: AgencyBuilding, category: "cases", urgency: "high", ago: 2 * day,
			title: v("Frist om 5 dager: send situasjonsplan", "Deadline in 5 days: send the site plan"), body: v("Byggesaken venter på deg.", "Your building case is waiting for you.")},
		{who: "ola", agency: AgencyDistrict, category: "bookings", urgency: "normal", ago: 6 * hour,
			title: v("Møterom bestilt, nøkkel klar", "Meeting room booked, key ready"), body: v("Nøkkelen virker fra et kvarter før.", "The key works from a quarter of an hour before.")},
		{who: "lan", agency: AgencyLibrary, category: "keys", urgency: "normal", ago: 2 * hour,
			title: v("Biblioteket er åpent for deg nå", "The library is open for you now"), body: v("Meråpent til kl. 22.", "Self-service until 10 pm.")},
		{who: "sigrid", agency: AgencyLibrary, category: "bookings", urgency: "normal", ago: 2 * day,
			title: v("Bestillingen er avbestilt", "The booking is cancelled"), body: v("Lesesalplassen er frigitt.", "The reading room seat is released.")},
		{who: "sigrid", agency: AgencyLibrary, category: "messages", urgency: "low", ago: 4 * day,
			title: v("Du har lån som forfaller", "You have loans due"), body: v("Lever eller forny innen fredag.", "Return or renew by Friday.")},
		{who: "sigrid", category: "general", urgency: "low", ago: 9 * day,
			title: v("Nytt i Min side: språkvalg", "New in Min side: choose your language"), body: v("Velg blant ni språk.", "Choose among nine languages.")},
		{who: "ingrid", agency: AgencyHealth, category: "messages", urgency: "normal", ago: 3 * day,
			title: v("Melding fra hjemmetjenesten", "Message from home care"), body: v("Vi kommer kl. 10 på tirsdag.", "We will come at 10 on Tuesday.")},
		{who: "jan", agency: AgencyHealth, category: "cases", urgency: "high", ago: 1 * day,
			title: v("Frist om 2 dager: bekreft hjemmebesøk", "Deadline in 2 days: confirm the home visit"), body: v("Svar i Min side eller ring oss.", "Reply in Min side or call us.")},
		{who: "mohammed", agency: AgencyBuilding, category: "cases", urgency: "normal", ago: 8 * day, read: true,
			title: v("Vedtak i byggesaken", "Decision in your building case"), body: v("Tillatelsen er gitt.", "The permit is granted.")},
		{who: "mohammed", agency: AgencyWaste, category: "messages", urgency: "low", ago: 12 * day, read: true,
			title: v("Ny hentedag for papir", "New collection day for paper"), body: v("Fra neste uke henter vi papir på onsdager.", "From next week we collect paper on Wednesdays.")},
		{who: "piotr", agency: AgencyCulture, category: "bookings", urgency: "normal", ago: 1 * day,
			title: v("Påminnelse: idrettshall torsdag", "Reminder: sports hall on Thursday"), body: v("Denne bookingen kan ikke avbestilles.", "This booking cannot be cancelled.")},
		{who: "erik", agency: AgencyCulture, category: "bookings", urgency: "normal", ago: 2 * day, read: true,
			title: v("Grillplassen er din på lørdag", "The barbecue area is yours on Saturday"), body: v("Husk å rydde etter deg.", "Please tidy up afterwards.")},
		{who: "fatima", agency: AgencyKindergarten, category: "cases", urgency: "normal", ago: 18 * day,
			title: v("Søknaden er under behandling", "Your application is being processed"), body: v("Hovedopptaket avsluttes i april.", "The main admission ends in April.")},
		{who: "maret", agency: AgencyCulture, category: "cases", urgency: "normal", ago: 3 * day,
			title: texts.Values{"nb": "Vi har mottatt søknaden", "en": "We have received your application", "se": "Mii leat ožžon du ohcama"},
			body:  v("Du får svar innen seks uker.", "You will get an answer within six weeks.")},
	} {
		d.addNotification(s)
	}
}
