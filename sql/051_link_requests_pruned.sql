-- Requests for a mail link (sql/020, 021) were never deleted: every request for a reset or
-- a confirmation, also for addresses without an account, stayed for good. As rate_events
-- and login_failures (sql/043): after each insert, up to 100 handled rows older than a day
-- go. The limits count the last hour (src/db/mail_links.h), and a request not yet handled by
-- the sender stays, whatever its age.
CREATE INDEX mail_link_requests_requested ON mail_link_requests (requested_at)
	WHERE processed_at IS NOT NULL;

CREATE FUNCTION prune_mail_link_requests() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	DELETE FROM mail_link_requests WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM mail_link_requests WHERE processed_at IS NOT NULL
			AND requested_at < now() - interval '1 day' LIMIT 100));
	RETURN NULL;
END
$$;
CREATE TRIGGER mail_link_requests_prune AFTER INSERT ON mail_link_requests
	FOR EACH STATEMENT EXECUTE FUNCTION prune_mail_link_requests();
