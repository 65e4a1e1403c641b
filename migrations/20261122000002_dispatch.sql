-- The outbox: notifications, one message per (notification, destination), every attempt.

CREATE TABLE notifications (
    id              TEXT PRIMARY KEY NOT NULL,
    project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    -- The webhook body `{"notificationType", "data"}` exactly as it is sent and signed.
    payload         TEXT NOT NULL,
    idempotency_key TEXT,
    -- The 202 response, replayed for a repeated Idempotency-Key.
    response        TEXT NOT NULL,
    create_time     INTEGER NOT NULL,
    UNIQUE (project_id, idempotency_key)
);
CREATE INDEX notifications_by_time ON notifications (project_id, create_time);

CREATE TABLE messages (
    -- Monotonic: the order messages were created (and are recovered) in.
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    notification_id TEXT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL,
    destination_id  TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    -- pending: waits for next_attempt_time; delivering: claimed by a worker;
    -- delivered; failed: will be retried; exhausted: no retries left; skipped: the
    -- destination was disabled when the message was created.
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'failed', 'exhausted', 'skipped')),
    attempt_count   INTEGER NOT NULL DEFAULT 0,
    -- attempt_count when the message was last (re)queued: retries left count from here.
    round_start     INTEGER NOT NULL DEFAULT 0,
    next_attempt_time INTEGER NOT NULL,
    last_status_code INTEGER,
    last_error      TEXT,
    create_time     INTEGER NOT NULL,
    update_time     INTEGER NOT NULL,
    delivered_time  INTEGER
);
-- Claiming due work; only rows that wait are indexed.
CREATE INDEX messages_due ON messages (destination_id, next_attempt_time, seq) WHERE status IN ('pending', 'failed');
CREATE INDEX messages_delivered ON messages (destination_id, delivered_time) WHERE status = 'delivered';
CREATE INDEX messages_by_destination ON messages (destination_id, seq);
CREATE INDEX messages_by_project ON messages (project_id, seq);
CREATE INDEX messages_by_notification ON messages (notification_id);

CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    start_time      INTEGER NOT NULL,
    duration_ms     INTEGER NOT NULL,
    status_code     INTEGER,
    -- At most the first 4 KiB of the response body.
    response_body   TEXT,
    -- timeout | connect | tls | status | io | config
    error_class     TEXT,
    error           TEXT,
    succeeded       INTEGER NOT NULL,
    -- Headers sent, as a JSON object (signatures are not secrets).
    request_headers TEXT NOT NULL
);
CREATE INDEX attempts_by_message ON attempts (message_id, number);
CREATE INDEX attempts_by_time ON attempts (start_time);

-- Per-destination delivery state: the failure clock and delivery policy.
ALTER TABLE destinations ADD COLUMN failing_since INTEGER;
ALTER TABLE destinations ADD COLUMN last_exhausted_time INTEGER;
-- JSON object: {retrySchedule: [seconds...], maxInFlight, timeoutMs, rateLimitPerSecond}.
ALTER TABLE destinations ADD COLUMN delivery TEXT;
