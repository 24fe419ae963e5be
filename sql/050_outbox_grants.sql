-- The outbox and the one-time links: the portal's role (which the sender uses too) keeps
-- table-level UPDATE no longer (issue 12). A queued mail's recipient, kind and facts, and a
-- link's hash, owner and expiry, are written once by the transaction of the change; after
-- that only the delivery's bookkeeping moves (src/db/outbox.c), and a link is only marked
-- used (src/db/mail_links.c).
-- A REVOKE at table level drops column grants too; none exist on these two tables yet.

REVOKE UPDATE ON outbox FROM esonr_app;
GRANT UPDATE (state, attempts, next_attempt_at, lease_until, last_error, sent_at, claimed_by,
	payload) ON outbox TO esonr_app;
REVOKE UPDATE ON mail_tokens FROM esonr_app;
GRANT UPDATE (used_at) ON mail_tokens TO esonr_app;

-- payload stays granted for one change only: a sent mail forgets the link's token
-- (outbox_mark_sent, payload - 'token'), so that the database keeps no usable link. Any
-- other change of the facts by the portal's role is refused here.
CREATE FUNCTION outbox_payload_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_user = 'esonr_app' AND NEW.payload IS DISTINCT FROM OLD.payload
	    AND NEW.payload IS DISTINCT FROM OLD.payload - 'token' THEN
		RAISE EXCEPTION 'a queued mail''s contents do not change (only its link token is dropped)'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER outbox_payload_fixed BEFORE UPDATE OF payload ON outbox
	FOR EACH ROW EXECUTE FUNCTION outbox_payload_fixed();
