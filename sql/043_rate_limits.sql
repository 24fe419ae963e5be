-- Per-address attempts of what costs the site or others something (src/auth/rate.c), and
-- the pruning of old rows here and in login_failures, which nothing deleted before (only a
-- successful login cleared its own account's failures).

CREATE TABLE rate_events (
	action   text NOT NULL CHECK (action IN ('register', 'password', 'verify')),
	address  text NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
	at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_events_key ON rate_events (action, address, at);
CREATE INDEX rate_events_at ON rate_events (at);
CREATE INDEX login_failures_at ON login_failures (failed_at);

-- After each insert, up to 100 rows older than a day go: the windows are an hour (here)
-- and 15 minutes (logins), so nothing still counted is removed, and the tables stay small
-- without a cron job.
CREATE FUNCTION prune_counters() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF TG_TABLE_NAME = 'rate_events' THEN
		DELETE FROM rate_events WHERE ctid = ANY (ARRAY(
			SELECT ctid FROM rate_events WHERE at < now() - interval '1 day' LIMIT 100));
	ELSE
		DELETE FROM login_failures WHERE ctid = ANY (ARRAY(
			SELECT ctid FROM login_failures WHERE failed_at < now() - interval '1 day' LIMIT 100));
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER rate_events_prune AFTER INSERT ON rate_events
	FOR EACH STATEMENT EXECUTE FUNCTION prune_counters();
CREATE TRIGGER login_failures_prune AFTER INSERT ON login_failures
	FOR EACH STATEMENT EXECUTE FUNCTION prune_counters();

GRANT SELECT, INSERT ON rate_events TO esonr_app;
