-- Quiet hours can be switched off without forgetting the chosen times, so switching them on again
-- brings back the person's own window rather than the defaults. Stored as "off" so that a row
-- written without it (older code, the demo seed) keeps quiet hours on.
ALTER TABLE preferences ADD COLUMN quiet_off BOOLEAN NOT NULL DEFAULT FALSE;
