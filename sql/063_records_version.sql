-- A candidate's records as the candidate's pages show them (attendances and MCQ attempts,
-- certificates, attestations, bookings) are kept by each portal process for the candidates
-- it serves (src/db/candidate_view.c), filed under this version of the account. It moves in
-- the transaction of every change to them, and pages read it with their session (the same
-- row), so that a page reads the records again only when they changed since.
--
-- The triggers are deferred to the commit: the account's row is then locked for the
-- moment the commit takes, not for the rest of the transaction (a publication issuing a
-- cohort's certificates would otherwise hold every member's row meanwhile), and two
-- transactions that each change two candidates' records (a cancellation promoting someone
-- from a waiting list) rarely meet in between. Should they deadlock, PostgreSQL ends one,
-- and db_tx runs it again.

ALTER TABLE users ADD COLUMN records_version bigint NOT NULL DEFAULT 0;

-- SECURITY DEFINER: the portal moves it by changing the records, never by itself.
CREATE FUNCTION records_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
	r record;
	owner bigint;
BEGIN
	IF TG_OP = 'DELETE' THEN
		r := OLD;
	ELSE
		r := NEW;
	END IF;
	IF TG_TABLE_NAME = 'mcq_attempts' THEN
		SELECT user_id INTO owner FROM attendances WHERE id = r.attendance_id;
		IF TG_OP = 'UPDATE' THEN
			IF OLD.attendance_id IS DISTINCT FROM NEW.attendance_id THEN
				UPDATE users SET records_version = records_version + 1
					WHERE id = (SELECT user_id FROM attendances WHERE id = OLD.attendance_id);
			END IF;
		END IF;
	ELSE
		owner := r.user_id;
		IF TG_OP = 'UPDATE' THEN
			IF OLD.user_id IS DISTINCT FROM NEW.user_id THEN
				UPDATE users SET records_version = records_version + 1 WHERE id = OLD.user_id;
			END IF;
		END IF;
	END IF;
	UPDATE users SET records_version = records_version + 1 WHERE id = owner;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION records_changed() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER records_changed AFTER INSERT OR UPDATE OR DELETE ON attendances
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER records_changed AFTER INSERT OR UPDATE OR DELETE ON mcq_attempts
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER records_changed AFTER INSERT OR UPDATE OR DELETE ON attestations
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
-- What the pages read of a certificate (not its PDF, which the signer writes afterwards).
CREATE CONSTRAINT TRIGGER records_changed AFTER INSERT OR DELETE OR UPDATE OF user_id, exam_code,
	number, issued_at, revoked_at ON certificates
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();
CREATE CONSTRAINT TRIGGER records_changed AFTER INSERT OR DELETE OR UPDATE OF user_id, exam_code,
	status, session_id, live ON bookings
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION records_changed();

-- Emptied tables (not something the portal does): every account's records moved.
CREATE FUNCTION records_truncated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE users SET records_version = records_version + 1;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION records_truncated() FROM PUBLIC;
CREATE TRIGGER records_truncated AFTER TRUNCATE ON attendances
	FOR EACH STATEMENT EXECUTE FUNCTION records_truncated();
CREATE TRIGGER records_truncated AFTER TRUNCATE ON mcq_attempts
	FOR EACH STATEMENT EXECUTE FUNCTION records_truncated();
CREATE TRIGGER records_truncated AFTER TRUNCATE ON attestations
	FOR EACH STATEMENT EXECUTE FUNCTION records_truncated();
CREATE TRIGGER records_truncated AFTER TRUNCATE ON certificates
	FOR EACH STATEMENT EXECUTE FUNCTION records_truncated();
CREATE TRIGGER records_truncated AFTER TRUNCATE ON bookings
	FOR EACH STATEMENT EXECUTE FUNCTION records_truncated();
