-- GET /verify/{number} checked the register's own copy of the certificate at every view:
-- about 87 KB read, sent as hex and verified (Ed25519 over the whole file), five times the
-- cost of any other page. That check is a fact about bytes and a key, which do not change
-- between views: it is now kept, filed under the SHA-256 of the bytes that were verified.
--
-- pdf_sha256 is the digest of the stored file, kept by the database itself at every
-- write of the file (by the signer, or by anyone: the trigger runs for every role), so a
-- kept check counts only while the stored file is the very one that was verified; any
-- other file, or another key, is checked in full again at the next view (and then fails,
-- saying so). Whether the number is revoked, superseded or its key compromised is read at
-- every view, never kept here. A kept check also expires after a day
-- (src/db/certificate_check.c), so that a change made behind the database's back (a
-- damaged disk, triggers switched off by a superuser) is found within a day too.

ALTER TABLE certificates ADD COLUMN pdf_sha256 bytea;

CREATE FUNCTION certificates_pdf_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.pdf_sha256 := CASE WHEN NEW.pdf IS NULL THEN NULL ELSE sha256(NEW.pdf) END;
	RETURN NEW;
END
$$;
CREATE TRIGGER certificates_pdf_digest BEFORE INSERT OR UPDATE ON certificates
	FOR EACH ROW EXECUTE FUNCTION certificates_pdf_digest();
-- (every UPDATE, not only UPDATE OF pdf: a digest that anyone could set by naming the
-- column alone would not be the database's word)

UPDATE certificates SET pdf_sha256 = sha256(pdf) WHERE pdf IS NOT NULL;

CREATE TABLE certificate_checks (
	number      text PRIMARY KEY REFERENCES certificates ON DELETE CASCADE,
	pdf_sha256  bytea NOT NULL CHECK (length(pdf_sha256) = 32),
	key_id      text NOT NULL,
	checked_at  timestamptz NOT NULL DEFAULT now()
);
-- The portal files the checks it made; it never deletes one (a stale one simply no longer
-- matches the stored file).
GRANT SELECT, INSERT ON certificate_checks TO esonr_app;
GRANT UPDATE (pdf_sha256, key_id, checked_at) ON certificate_checks TO esonr_app;
