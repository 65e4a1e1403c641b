-- Retention finds notifications by age (`create_time < cutoff`): without an index each
-- pruning batch walked the whole table, holding the write lock long enough to delay
-- deliveries by 100 ms and more under a steady load (bench/README.md, the soak). Rows
-- arrive in time order, so this index only ever grows at its end.
CREATE INDEX notifications_by_create_time ON notifications (create_time);
