-- The records version (063) moved once per changed row: a transaction that writes many
-- records of one account (an import, a publication, the bench's bulk load) left as many
-- versions of the account's row, which every signed-in page then read through until they
-- were pruned. It now moves once per account and transaction, which is all a page's copy
-- needs: the transaction that last moved it is kept beside it.
ALTER TABLE users ADD COLUMN records_moved_by xid8;

CREATE OR REPLACE FUNCTION records_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
	r record;
	owner bigint;
	former bigint;
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
				SELECT user_id INTO former FROM attendances WHERE id = OLD.attendance_id;
			END IF;
		END IF;
	ELSE
		owner := r.user_id;
		IF TG_OP = 'UPDATE' THEN
			IF OLD.user_id IS DISTINCT FROM NEW.user_id THEN
				former := OLD.user_id;
			END IF;
		END IF;
	END IF;
	UPDATE users SET records_version = records_version + 1, records_moved_by = pg_current_xact_id()
		WHERE id IN (owner, former) AND records_moved_by IS DISTINCT FROM pg_current_xact_id();
	RETURN NULL;
END
$$;
