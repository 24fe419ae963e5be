-- Signing keys (public halves only: the secret stays in $VAR/keys) and the signed PDFs.

CREATE TABLE signing_keys (
	id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
	public_key  text NOT NULL UNIQUE CHECK (public_key ~ '^[0-9a-f]{64}$'),
	created_at  timestamptz NOT NULL DEFAULT now(),
	retired_at  timestamptz
);
-- One key signs at a time: the one not retired.
CREATE UNIQUE INDEX signing_keys_one_in_force ON signing_keys ((true)) WHERE retired_at IS NULL;

ALTER TABLE certificates
	ADD COLUMN key_id      text REFERENCES signing_keys,
	ADD COLUMN qr_text     text,
	ADD COLUMN pdf         bytea,
	ADD COLUMN supersedes  text REFERENCES certificates,
	ADD COLUMN reissue_reason text;

GRANT SELECT, INSERT, UPDATE ON signing_keys TO esonr_app;
