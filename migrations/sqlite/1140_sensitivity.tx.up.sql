-- An agency may mark a case, a case document or its answer on a thread sensitive (as tasks and
-- drafts already are): below the step-up login level the citizen sees that it exists, from whom
-- and when, but not its content. A sensitive case withholds everything that hangs on it.
ALTER TABLE cases ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE case_documents ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE messages ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;
