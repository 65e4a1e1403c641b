-- Retention: a notification whose payload was dropped after the retention period keeps
-- its row (and its messages' history) but can no longer be sent again.
ALTER TABLE notifications ADD COLUMN payload_expired INTEGER NOT NULL DEFAULT 0;
