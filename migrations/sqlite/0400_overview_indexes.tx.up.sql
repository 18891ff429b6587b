-- Indexes for the overview, the lists and the changes feed (see backend/internal/overview).
-- Agency texts are loaded for many owners of several kinds at once, in a few languages.
CREATE INDEX texts_owner_lang ON texts (owner_id, lang);
--bun:split
-- Unread notifications, newest first, with their count.
CREATE INDEX notifications_citizen_unread ON notifications (citizen_id, created_at) WHERE read_at IS NULL;
--bun:split
-- A case's timeline in order.
CREATE INDEX case_events_case_occurred ON case_events (case_id, occurred_at);
--bun:split
-- Published tiles.
CREATE INDEX tiles_status ON tiles (status);
--bun:split
-- The key that belongs to a booking.
CREATE INDEX keys_booking ON keys (booking_id);
