-- Capture inboxes: a receiver on the node itself (`/in/{token}`) that records every
-- request and answers by rules, for seeing what the dispatcher sends and making a
-- receiver fail on purpose.
CREATE TABLE inboxes (
    id             TEXT PRIMARY KEY NOT NULL,
    project_id     TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    -- Unguessable: the capture URL needs no API key.
    token          TEXT NOT NULL UNIQUE,
    -- JSON array of response rules, answered in sequence (see model::inbox).
    rules          TEXT NOT NULL,
    max_captures   INTEGER NOT NULL,
    -- Captures older than this (ms) are dropped.
    max_age_ms     INTEGER NOT NULL,
    body_limit     INTEGER NOT NULL,
    -- The webhook destination made for it ("send to a new inbox"), if any.
    destination_id TEXT REFERENCES destinations(id) ON DELETE SET NULL,
    create_time    INTEGER NOT NULL,
    update_time    INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE captures (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    inbox_id     TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    query        TEXT,
    -- JSON array of [name, value] pairs, in the order received.
    headers      TEXT NOT NULL,
    body         BLOB NOT NULL,
    -- The body's full size; `body` holds at most the inbox's body_limit bytes of it.
    body_size    INTEGER NOT NULL,
    remote_addr  TEXT,
    -- The status the inbox answered with (none when it closed the connection).
    status       INTEGER,
    -- `webhook-id` (or `svix-id`): the message a delivery attempt was for.
    webhook_id   TEXT,
    time         INTEGER NOT NULL
);
CREATE INDEX captures_by_inbox ON captures (inbox_id, seq);
CREATE INDEX captures_by_time ON captures (inbox_id, time);

-- A capture sent again (as is or edited, maybe re-signed) and what came back.
CREATE TABLE replays (
    id           TEXT PRIMARY KEY NOT NULL,
    capture_id   TEXT NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    -- JSON: the request sent {method, headers, bodySize} and the answer {status, headers,
    -- body (first 4 KiB), durationMs} or {error}.
    result       TEXT NOT NULL,
    time         INTEGER NOT NULL
);
CREATE INDEX replays_by_capture ON replays (capture_id, time);
