-- Read actions: integrations deployed from amp.yaml and their revisions, installations,
-- the local records that stand in for each group's SaaS instance, each installation's
-- per-object read state and the read operations.

CREATE TABLE integrations (
    id                 TEXT PRIMARY KEY NOT NULL,
    project_id         TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    provider           TEXT NOT NULL,
    latest_revision_id TEXT NOT NULL,
    create_time        INTEGER NOT NULL,
    update_time        INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE revisions (
    id             TEXT PRIMARY KEY NOT NULL,
    integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    spec_version   TEXT NOT NULL,
    -- The manifest's integration as JSON (Ampersand's `Revision.content`).
    content        TEXT NOT NULL,
    create_time    INTEGER NOT NULL
);

CREATE TABLE installations (
    id                 TEXT PRIMARY KEY NOT NULL,
    project_id         TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    integration_id     TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    group_ref          TEXT NOT NULL,
    group_name         TEXT NOT NULL,
    consumer_ref       TEXT NOT NULL,
    consumer_name      TEXT NOT NULL,
    connection_id      TEXT NOT NULL,
    config_id          TEXT NOT NULL,
    revision_id        TEXT NOT NULL,
    config_created_by  TEXT NOT NULL,
    config_create_time INTEGER NOT NULL,
    -- The config's `content` as JSON.
    config             TEXT NOT NULL,
    create_time        INTEGER NOT NULL,
    update_time        INTEGER NOT NULL,
    UNIQUE (integration_id, group_ref)
);
CREATE INDEX installations_by_project ON installations (project_id, group_ref);

-- What a group's SaaS instance holds, per provider object. `seq` changes whenever a record
-- is written again, so "records after the cursor" are exactly the changes since a read.
CREATE TABLE records (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    group_ref   TEXT NOT NULL,
    object_name TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    update_time INTEGER NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (project_id, provider, group_ref, object_name, record_id)
);
CREATE INDEX records_by_object ON records (project_id, provider, group_ref, object_name, seq);

-- Per installation and object: where incremental reads continue, the backfill, pausing,
-- the schedule and on-request page credit.
CREATE TABLE read_objects (
    installation_id TEXT NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
    object_name     TEXT NOT NULL,
    -- Records with seq <= cursor_seq have been read (backfill and scheduled reads).
    cursor_seq      INTEGER NOT NULL DEFAULT 0,
    backfill        TEXT NOT NULL CHECK (backfill IN ('none', 'running', 'done')),
    paused          INTEGER NOT NULL DEFAULT 0,
    pause_note      TEXT,
    next_run_time   INTEGER,
    -- Scheduled runs that failed in a row (destination missing or disabled).
    failed_runs     INTEGER NOT NULL DEFAULT 0,
    -- Pages an `onRequest` object may still deliver (deliverResults).
    page_credit     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (installation_id, object_name)
);

CREATE TABLE operations (
    id              TEXT PRIMARY KEY NOT NULL,
    project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    integration_id  TEXT NOT NULL,
    installation_id TEXT NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
    config_id       TEXT NOT NULL,
    object_name     TEXT NOT NULL,
    read_type       TEXT NOT NULL CHECK (read_type IN ('backfill', 'scheduled', 'triggered')),
    status          TEXT NOT NULL CHECK (status IN ('in_progress', 'success', 'failure')),
    -- What it reads: records with from_seq < seq <= to_seq, updated in [since, until).
    from_seq        INTEGER NOT NULL,
    to_seq          INTEGER NOT NULL,
    since_time      INTEGER,
    until_time      INTEGER,
    -- Progress, committed with the messages it made.
    done_seq        INTEGER NOT NULL,
    records_processed INTEGER NOT NULL DEFAULT 0,
    messages        INTEGER NOT NULL DEFAULT 0,
    result          TEXT,
    create_time     INTEGER NOT NULL,
    update_time     INTEGER NOT NULL
);
CREATE INDEX operations_by_installation ON operations (installation_id, create_time);
CREATE INDEX operations_running ON operations (status) WHERE status = 'in_progress';
