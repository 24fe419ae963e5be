-- The signer process (bin/esonr-signer) has a role of its own: it reads what a certificate
-- shows and writes its signed PDF, nothing else. The portal's role no longer writes signed
-- PDFs at all, so a misbehaving worker cannot put a file of its own into the register.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'esonr_signer') THEN
		CREATE ROLE esonr_signer LOGIN;
	END IF;
END $$;
GRANT USAGE ON SCHEMA public TO esonr_signer;
GRANT SELECT ON certificates, exams, exam_sessions, signing_keys TO esonr_signer;
GRANT UPDATE (pdf, key_id, signed_at, qr_text) ON certificates TO esonr_signer;

REVOKE UPDATE ON certificates FROM esonr_app;
GRANT UPDATE (revoked_at, revoked_reason, superseded_by) ON certificates TO esonr_app;

-- Whatever column grants later migrations give the portal's role, a signed PDF, its key, its
-- QR text and its signing time are written by the signer only (or by the owner).
CREATE FUNCTION certificates_signed_by_the_signer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_user = 'esonr_app' AND (NEW.pdf, NEW.key_id, NEW.qr_text, NEW.signed_at)
	    IS DISTINCT FROM (OLD.pdf, OLD.key_id, OLD.qr_text, OLD.signed_at) THEN
		RAISE EXCEPTION 'certificate %: only the signer writes a signed PDF', OLD.number
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER certificates_signed_by_the_signer BEFORE UPDATE ON certificates
	FOR EACH ROW EXECUTE FUNCTION certificates_signed_by_the_signer();
