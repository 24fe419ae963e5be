-- Password reset requests are queued: the web request only records who asked (the same
-- single statement whether or not the address has an account: no timing oracle), and the
-- sender turns each request for an existing account into a link and its mail.
ALTER TABLE mail_link_requests ADD COLUMN processed_at timestamptz;
-- Requests made before this migration were answered at once.
UPDATE mail_link_requests SET processed_at = requested_at;
CREATE INDEX mail_link_requests_pending ON mail_link_requests (id) WHERE processed_at IS NULL;

-- A new request wakes the sender, like a new message.
CREATE TRIGGER mail_link_requests_notify AFTER INSERT ON mail_link_requests
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

GRANT UPDATE (processed_at) ON mail_link_requests TO esonr_app;
