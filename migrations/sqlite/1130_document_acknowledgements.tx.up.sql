-- A case document may ask the citizen to acknowledge it ("I have read") or sign it, optionally by a
-- date. The acknowledgement is kept apart from case_documents, keyed by the agency's document id,
-- because an agency's update replaces the document list: what the citizen did must survive that.
ALTER TABLE case_documents ADD COLUMN requires TEXT NOT NULL DEFAULT ''; -- '', acknowledge, sign
--bun:split
ALTER TABLE case_documents ADD COLUMN due_at TIMESTAMP;
--bun:split
CREATE INDEX case_documents_pending ON case_documents (case_id) WHERE requires <> '';
--bun:split
CREATE TABLE document_acknowledgements (
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    document_ext_id TEXT NOT NULL,
    citizen_id      TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    actor_id        TEXT NOT NULL,          -- who pressed: the citizen, or a representative
    actor_kind      TEXT NOT NULL,          -- citizen, representative
    requires        TEXT NOT NULL,          -- what was asked when it was done
    level           TEXT NOT NULL DEFAULT '', -- the login's assurance level (acr)
    acknowledged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, document_ext_id)
);
