-- The portal's role (esonr_app) changes only what the application must change (issue 12).
-- Role changes, signing keys, and anything about a certificate but its revocation and its
-- one-time PDF go through the office's paths (esonrctl, which connects as the owner).
--
-- Table-level UPDATE/INSERT grants of the first migrations become column grants. A REVOKE
-- at table level also drops column grants, so narrow() keeps the column grants that other
-- migrations made on the same table before this one ran.

CREATE FUNCTION pg_temp.narrow(tbl regclass, priv text, cols text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	kept text[];
BEGIN
	SELECT coalesce(array_agg(a.attname::text), '{}') INTO kept
	FROM pg_attribute a, aclexplode(a.attacl) x
	WHERE a.attrelid = tbl AND a.attacl IS NOT NULL AND x.privilege_type = priv
		AND x.grantee = 'esonr_app'::regrole;
	EXECUTE format('REVOKE %s ON %s FROM esonr_app', priv, tbl);
	EXECUTE format('GRANT %s (%s) ON %s TO esonr_app', priv,
		(SELECT string_agg(quote_ident(c), ', ') FROM (SELECT DISTINCT unnest(cols || kept) AS c) u), tbl);
END
$$;

-- users: registration and the password rehash at login, the office's renaming; no role.
SELECT pg_temp.narrow('users', 'UPDATE', ARRAY['full_name', 'password_hash']);
-- An INSERT must name its columns (role among them), so registration keeps INSERT; the
-- trigger lets the portal create candidates only (examiners and the office: esonrctl).
CREATE FUNCTION users_app_registers_candidates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_user = 'esonr_app' AND NEW.role <> 'candidate' THEN
		RAISE EXCEPTION 'the portal creates candidate accounts only'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER users_app_registers_candidates BEFORE INSERT ON users
	FOR EACH ROW EXECUTE FUNCTION users_app_registers_candidates();

-- Signing keys: read to sign and verify; keygen and compromise are esonrctl's.
REVOKE INSERT, UPDATE, DELETE ON signing_keys FROM esonr_app;

-- Certificates: issued (INSERT) at publication, revoked and superseded later; the signed
-- PDF is the signer's alone (sql/012_signer_role.sql, whose trigger also refuses it to the
-- portal). Holder, number, exam and dates never change afterwards.
SELECT pg_temp.narrow('certificates', 'UPDATE', ARRAY['revoked_at', 'revoked_reason', 'superseded_by']);
SELECT pg_temp.narrow('certificate_serials', 'UPDATE', ARRAY['last_serial']);

-- Sessions of examinations: closing and publishing; the seat count is kept by the
-- bookings trigger, which runs as the owner so that the portal cannot set it.
SELECT pg_temp.narrow('exam_sessions', 'UPDATE', ARRAY['closed_at', 'published_at']);
ALTER FUNCTION bookings_keep_count() SECURITY DEFINER SET search_path = public, pg_temp;
SELECT pg_temp.narrow('bookings', 'UPDATE',
	ARRAY['status', 'updated_at', 'cancelled_at', 'ics_sequence', 'live']);

-- Results: every mark and decision, never which booking a row belongs to.
SELECT pg_temp.narrow('results', 'UPDATE', ARRAY['absent', 'written', 'oral_a', 'oral_a_by',
	'oral_b', 'oral_b_by', 'oral_resolved', 'oral_resolved_reason', 'computed_outcome', 'decision',
	'decision_reason', 'decided_by', 'amended_at', 'amendment_reason', 'entered_by', 'updated_at']);

-- The programme: pass marks and the closing of a rule; editions and records are added, not
-- edited (an attestation's evidence date is updated when checked again).
SELECT pg_temp.narrow('exams', 'UPDATE', ARRAY['pass_written', 'pass_oral', 'double_oral', 'oral_tolerance']);
SELECT pg_temp.narrow('exam_rules', 'UPDATE', ARRAY['valid_until']);
REVOKE UPDATE, DELETE ON course_editions, mcq_attempts FROM esonr_app;
-- (attendances keep UPDATE: recording an MCQ attempt locks its attendance FOR UPDATE,
-- which needs it)
REVOKE DELETE ON attendances FROM esonr_app;
REVOKE DELETE ON attestations FROM esonr_app;
SELECT pg_temp.narrow('attestations', 'UPDATE', ARRAY['evidence_date', 'checked_by', 'checked_at']);

-- No temporary tables for the portal, nor anyone else who merely connects.
DO $$
BEGIN
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO esonr_app', current_database());
END
$$;
