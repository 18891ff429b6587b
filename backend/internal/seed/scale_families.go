package seed

import (
	"fmt"

	"minside/backend/internal/citizens"
	"minside/backend/internal/ingest"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// householdSize groups synthetic citizens by index into households: a child's guardians are the
// adults of its household who were 18 to 55 when it was born, at most two, registered by the
// population register from birth until the child turns 18. Ages spread evenly over 1 to 95, so
// about one citizen in six is a minor, nearly every one of them has two guardians, and about a
// third of the adults act for a child: the overview a city's parents see, beside everyone else's.
const householdSize = 8

// member is one generated citizen of a household, with its index and identity number.
type member struct {
	index  int
	digits string
	c      citizens.Citizen
}

// household is the household of citizen index i.
func household(i int) int { return i / householdSize }

// batchBounds is batch k of a pass over the citizens first to first+want-1, its ends moved up to
// household boundaries so that no household is split between batches (each its own transaction).
// The same citizens then get the same guardians whatever the batch size. A batch can be empty.
func batchBounds(first, want, batch, k int) (lo, hi int) {
	end := first + want
	align := func(i int) int {
		if i <= first {
			return first
		}
		return min(end, (i+householdSize-1)/householdSize*householdSize)
	}
	return align(first + k*batch), align(first + (k+1)*batch)
}

// guardianships adds the guardianships within one household.
func (g *generator) guardianships(r *rows, members []member) {
	for _, child := range members {
		born := child.c.BirthDate
		if !born.AddDate(18, 0, 0).After(g.now) {
			continue
		}
		added := 0
		for _, parent := range members {
			if parent.c.ID == child.c.ID || born.Before(parent.c.BirthDate.AddDate(18, 0, 0)) ||
				born.After(parent.c.BirthDate.AddDate(55, 0, 0)) {
				continue
			}
			g.guardian(r, parent, child, added)
			if added++; added == 2 {
				break
			}
		}
	}
}

// guardian adds parent's guardianship of child, the k-th of the child's, from the child's birth
// until it turns 18, with its agency record.
func (g *generator) guardian(r *rows, parent, child member, k int) {
	from := store.UTC(child.c.BirthDate)
	until := from.AddDate(18, 0, 0)
	rel := represent.Relation{ID: store.NewID(), AgencyID: g.b.agency[AgencyRegister],
		ExternalID: fmt.Sprintf(scalePrefix+"%09d-foresatt-%d", child.index, k), Version: 1, Kind: represent.KindGuardian,
		RepresentativeID: parent.c.ID, SubjectID: child.c.ID, ValidFrom: from, ValidUntil: &until, CreatedAt: g.now, UpdatedAt: g.now}
	r.relations = append(r.relations, rel)
	r.records = append(r.records, ingest.Imported{AgencyID: rel.AgencyID, Kind: ingest.KindRelations, ExternalID: rel.ExternalID,
		ObjectID: rel.ID, CitizenID: &child.c.ID, At: g.now, Record: ingest.RelationRecord{Kind: rel.Kind,
			RepresentativePID: parent.digits, SubjectPID: child.digits, ValidFrom: rfc3339(&rel.ValidFrom),
			ValidUntil: rfc3339(rel.ValidUntil), Version: rel.Version}})
}
