-- Accounts, sessions and failed-login records.
-- Applied by `esonrctl migrate` as the owner; the portal connects as esonr_app, which gets
-- only the privileges each table needs.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'esonr_app') THEN
		CREATE ROLE esonr_app LOGIN;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO esonr_app;

CREATE TABLE users (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- normalised (trimmed, lower-case) by the application; the check keeps it so
	email         text NOT NULL UNIQUE
	              CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
	full_name     text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200),
	role          text NOT NULL CHECK (role IN ('candidate', 'examiner', 'admin')),
	password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	created_at    timestamptz NOT NULL DEFAULT now()
);

-- A session is a random token held by the browser; only its hash is stored.
-- user_id NULL: a visitor's pre-session, which exists to carry a CSRF token.
CREATE TABLE sessions (
	token_hash    bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id       bigint REFERENCES users (id) ON DELETE CASCADE,
	created_at    timestamptz NOT NULL DEFAULT now(),
	last_seen_at  timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins, kept in the database so that throttling survives worker restarts.
CREATE TABLE login_failures (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email         text NOT NULL,
	address       text NOT NULL,
	failed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);

GRANT SELECT, INSERT, UPDATE ON users TO esonr_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO esonr_app;
GRANT SELECT, INSERT, DELETE ON login_failures TO esonr_app;
