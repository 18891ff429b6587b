-- An agency reconciles its records with the portal's by listing them in the order they changed
-- (GET /api/agency/v1/{kind}?updatedSince=…): one kind of one agency, by update time then external id.
CREATE INDEX agency_records_updated ON agency_records (agency_id, kind, updated_at, external_id);
