-- The portal's role could write certificate_checks directly (sql/057): INSERT, and UPDATE
-- of the digest, the key and checked_at. With those it could file a check of a copy it
-- never verified, under any digest, or one dated 'infinity' that never expires. It now
-- files a check only through certificate_check_record(), which records one for the
-- certificate's stored digest and key as they are, dated by the database's clock.
-- (The verification itself is the portal's, src/db/certificate_check.c: the function
-- narrows what a filed check can say, it does not verify.)

REVOKE UPDATE (pdf_sha256, key_id, checked_at) ON certificate_checks FROM esonr_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON certificate_checks FROM esonr_app;
-- SELECT stays: GET /verify/{number} reads the kept check.

-- Files that the register's copy of certificate p_number, whose bytes have the SHA-256
-- p_pdf_sha256, verified under key p_key_id: only while that is still the stored file and
-- its key, and always at now().
CREATE FUNCTION certificate_check_record(p_number text, p_pdf_sha256 bytea, p_key_id text)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
	INSERT INTO public.certificate_checks (number, pdf_sha256, key_id, checked_at)
	SELECT c.number, c.pdf_sha256, c.key_id, now() FROM public.certificates c
	WHERE c.number = p_number AND c.pdf_sha256 = p_pdf_sha256 AND c.key_id = p_key_id
	ON CONFLICT (number) DO UPDATE SET pdf_sha256 = EXCLUDED.pdf_sha256, key_id = EXCLUDED.key_id,
		checked_at = now();
$$;
REVOKE ALL ON FUNCTION certificate_check_record(text, bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION certificate_check_record(text, bytea, text) TO esonr_app;
