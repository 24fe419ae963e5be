-- E-mail: the transactional outbox, one-time links (address confirmation, password reset),
-- and the calendar data that the .ics download and the booking mails share.

-- NULL until the address has been confirmed with the link sent at registration (which
-- inserts NULL). Accounts the office creates (esonrctl user add), and those that existed
-- before e-mail did, are taken as confirmed: the office vouches for their address.
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz DEFAULT now();
UPDATE users SET email_confirmed_at = created_at;
-- A column grant (kept when a later migration narrows the table's grants): the link sets it.
GRANT UPDATE (email_confirmed_at) ON users TO esonr_app;

-- One row per message. The facts a mail tells are copied into payload by the transaction
-- that made the change, so the message says what was true then, even if rendered later.
--   queued       waiting for next_attempt_at
--   sending      claimed by a sender (lease_until); the message is not complete at the
--                server yet, so a sender that died here leaves a message safe to send again
--   handed_over  the whole message was given to the server, its answer not yet recorded:
--                a sender that died here may or may not have delivered it (never resent
--                automatically; the office sees it as failed and decides)
--   sent         the server accepted it (250)
--   failed       permanent: a 5xx answer, or the uncertain case above
CREATE TABLE outbox (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind            text NOT NULL CHECK (kind IN ('confirm', 'reset', 'password_changed', 'booked',
	                    'waitlisted', 'promoted', 'cancelled', 'results', 'cert_issued',
	                    'cert_revoked', 'cert_reissued')),
	user_id         bigint REFERENCES users ON DELETE SET NULL,
	to_addr         text NOT NULL,
	to_name         text NOT NULL,
	payload         jsonb NOT NULL DEFAULT '{}',
	-- stable: the same message id whenever this row is (re)sent
	message_id      text NOT NULL UNIQUE DEFAULT gen_random_uuid()::text || '@esonr-portal',
	state           text NOT NULL DEFAULT 'queued'
	                    CHECK (state IN ('queued', 'sending', 'handed_over', 'sent', 'failed')),
	attempts        int NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	lease_until     timestamptz,
	last_error      text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	sent_at         timestamptz,
	CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state IN ('sending', 'handed_over');
CREATE INDEX outbox_user ON outbox (user_id, created_at);

-- A new row wakes the sender (LISTEN outbox) when its transaction commits.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('outbox', '');
	RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OF state, next_attempt_at ON outbox
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- One-time links: a random token in the mail, only its hash here; used once.
CREATE TABLE mail_tokens (
	token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	purpose     text NOT NULL CHECK (purpose IN ('confirm', 'reset')),
	user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	created_at  timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL,
	used_at     timestamptz
);
CREATE INDEX mail_tokens_user ON mail_tokens (user_id, purpose, created_at);

-- Every request for a link, also for addresses without an account, so that throttling
-- looks the same whether or not the address exists.
CREATE TABLE mail_link_requests (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	purpose      text NOT NULL CHECK (purpose IN ('confirm', 'reset')),
	email        text NOT NULL,
	address      text NOT NULL,
	requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_link_requests_email ON mail_link_requests (email, requested_at);
CREATE INDEX mail_link_requests_address ON mail_link_requests (address, requested_at);

-- A booking's calendar event as of now: the .ics download and the booking mails both read
-- it and hand it to the same builder (src/domain/ics.c).
CREATE VIEW booking_calendar AS
SELECT b.id AS booking_id, b.user_id, b.status,
	b.ics_uid AS ics_uid, b.ics_sequence::text AS ics_sequence, s.time_zone AS ics_tzid,
	to_char(s.starts_at AT TIME ZONE s.time_zone, 'YYYYMMDD"T"HH24MISS') AS ics_start,
	to_char((s.starts_at + interval '8 hours') AT TIME ZONE s.time_zone, 'YYYYMMDD"T"HH24MISS') AS ics_end,
	to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"') AS ics_dtstamp,
	(((s.starts_at AT TIME ZONE s.time_zone) - (s.starts_at AT TIME ZONE 'UTC')) >
	 ((date_trunc('year', s.starts_at) AT TIME ZONE s.time_zone) -
	  (date_trunc('year', s.starts_at) AT TIME ZONE 'UTC')))::text AS ics_dst,
	(extract(epoch FROM ((s.starts_at AT TIME ZONE s.time_zone) -
	  (s.starts_at AT TIME ZONE 'UTC')))::int / 60)::text AS ics_offset_minutes,
	'ESoNR ' || b.exam_code || ' examination: ' || e.title AS ics_summary,
	s.location AS ics_location
FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code;

-- The portal writes messages and marks them (the sender connects as esonr_app too), reads
-- them for the office page; it never deletes one. Tokens: created, read, marked used.
GRANT SELECT, INSERT, UPDATE ON outbox TO esonr_app;
GRANT SELECT, INSERT, UPDATE ON mail_tokens TO esonr_app;
GRANT SELECT, INSERT ON mail_link_requests TO esonr_app;
GRANT SELECT ON booking_calendar TO esonr_app;
