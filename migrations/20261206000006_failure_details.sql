-- What the console needs to say why something is failing without reading every attempt.
-- The class of a message's last failed attempt (timeout, connect, tls, status, io, config,
-- throttled), so a list can say "connection refused" or "HTTP 500".
ALTER TABLE messages ADD COLUMN last_error_class TEXT;
-- A destination's last failed attempt: while `failing_since` is set (no success since),
-- the destination is shown as failing with this error.
ALTER TABLE destinations ADD COLUMN last_error TEXT;
ALTER TABLE destinations ADD COLUMN last_error_class TEXT;
ALTER TABLE destinations ADD COLUMN last_failure_time INTEGER;
