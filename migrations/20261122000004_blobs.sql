-- Payload parts too large to send inline (installation configs over the 300 KB webhook
-- limit), served at signed URLs. A cache: rebuilt from the notification when missing.
CREATE TABLE blobs (
    id          TEXT PRIMARY KEY NOT NULL,
    content     TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    -- No URL handed out for this blob is valid after this time.
    expire_time INTEGER NOT NULL
);
CREATE INDEX blobs_by_expiry ON blobs (expire_time);
