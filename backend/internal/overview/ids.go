package overview

import "github.com/google/uuid"

// validID reports whether s can be one of our ids. Anything else is a 404 without asking the
// database (PostgreSQL would refuse it as a uuid).
func validID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
