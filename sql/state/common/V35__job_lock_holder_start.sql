-- When the lock holder's process started (epoch milliseconds, from the operating system), or null when unknown.
-- With host and pid it tells a dead holder from a live one on the same host, even when its pid was reused:
-- a run on that host takes over at once the lock of a holder whose process is gone, instead of waiting out
-- the lease.
ALTER TABLE mp_job_lock ADD COLUMN pid_started_at BIGINT;
