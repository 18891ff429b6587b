-- Nothing to do on SQLite: a finished message leaves no dead index entry for the claim to walk
-- (PostgreSQL's half of this migration lets the claim start where the last one began).
SELECT 1;
