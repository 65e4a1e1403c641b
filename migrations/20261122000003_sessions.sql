-- Browser sessions of the console served by `switchboard serve` (cookie values are
-- stored only as SHA-256 hashes).
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    create_time INTEGER NOT NULL,
    expire_time INTEGER NOT NULL
);
