-- Core management model: projects, destinations, topics, routes, API keys, secrets.
-- Times are Unix milliseconds (UTC). IDs are UUID strings.

CREATE TABLE node_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
);

CREATE TABLE destinations (
    id              TEXT PRIMARY KEY NOT NULL,
    project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('webhook', 'kinesis', 'log')),
    -- The API's `metadata` object as JSON (never secrets).
    metadata        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
    disabled_reason TEXT,
    disabled_time   INTEGER,
    -- While a rotated-out signing key still signs.
    previous_key_expire_time INTEGER,
    create_time     INTEGER NOT NULL,
    update_time     INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE topics (
    id          TEXT PRIMARY KEY NOT NULL,
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE event_topic_routes (
    id          TEXT PRIMARY KEY NOT NULL,
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    topic_id    TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    UNIQUE (topic_id, event_type)
);
CREATE INDEX event_topic_routes_by_event ON event_topic_routes (project_id, event_type);

CREATE TABLE topic_destination_routes (
    id             TEXT PRIMARY KEY NOT NULL,
    project_id     TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    topic_id       TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    destination_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    create_time    INTEGER NOT NULL,
    UNIQUE (topic_id, destination_id)
);
CREATE INDEX topic_destination_routes_by_destination ON topic_destination_routes (destination_id);

-- Secret values never live here in clear: `sealed` is ciphertext (file backend) or empty
-- (keyring backend, where the value lives in the OS keyring under `id`).
CREATE TABLE secrets (
    id          TEXT PRIMARY KEY NOT NULL,
    backend     TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    create_time INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    hint           TEXT NOT NULL,
    -- SHA-256 of the key, hex.
    key_hash       TEXT NOT NULL UNIQUE,
    create_time    INTEGER NOT NULL,
    revoke_time    INTEGER,
    last_used_time INTEGER
);
