-- Scoped and expiring API keys: read-only (safe methods only), one project only, and an
-- expiry after which the key no longer authenticates.
ALTER TABLE api_keys ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN project_id TEXT REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE api_keys ADD COLUMN expire_time INTEGER;
