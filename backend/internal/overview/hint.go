package overview

import "context"

// Hinted reports whether the live event stream may tell the viewer that an object of citizenID
// changed. It follows the changes feed's rule: everything of a person the viewer sees entirely
// (and changes everyone sees, citizenID ""), but of someone seen through a scoped relation only
// objects the viewer may see now, so a representative is not even told that something outside
// the relation's areas exists.
func (s *Service) Hinted(ctx context.Context, v Viewer, citizenID, kind, id string) (bool, error) {
	if citizenID == "" {
		return true, nil
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, err := s.resolve(ctx, v, s.now())
	if err != nil {
		return false, err
	}
	if _, ok := sc.byID[citizenID]; !ok {
		return false, nil
	}
	if sc.seesEverything(citizenID) {
		return true, nil
	}
	if !validID(id) {
		return false, nil
	}
	objects, err := s.objects(ctx, sc, map[string][]string{kind: {id}})
	if err != nil {
		return false, err
	}
	_, visible := objects[kind][id]
	return visible, nil
}
