-- Two indexes no query reads: attempts are only looked up by message, and notifications
-- by ID and idempotency key (the key's UNIQUE index also serves deletes by project). Each
-- index costs a page in every publish or recording transaction.
DROP INDEX IF EXISTS attempts_by_time;
DROP INDEX IF EXISTS notifications_by_time;
