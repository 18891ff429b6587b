-- Quiet hours can be switched off without forgetting the chosen times, so switching them on again
-- brings back the person's own window rather than the defaults.
ALTER TABLE preferences ADD COLUMN quiet_enabled INTEGER NOT NULL DEFAULT 1;
