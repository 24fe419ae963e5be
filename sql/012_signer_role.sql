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
