-- Counts that pages show, kept up to date by triggers instead of counted at every page
-- view, so that a page costs the same with 100 or 100,000 candidates: the waiting list of
-- each session (beside booked_count, in the same row the booking trigger already
-- updates) and the number of accounts per role. Plus the indexes the read models of the
-- dashboards use.

ALTER TABLE exam_sessions
	ADD COLUMN waitlisted_count int NOT NULL DEFAULT 0 CHECK (waitlisted_count >= 0);
UPDATE exam_sessions s SET waitlisted_count =
	(SELECT count(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'waitlisted');

-- SECURITY DEFINER as 040 makes it: the portal's role cannot set the counts itself.
CREATE OR REPLACE FUNCTION bookings_keep_count() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.session_id = NEW.session_id THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.status IN ('booked', 'waitlisted') THEN
		UPDATE exam_sessions SET booked_count = booked_count - (OLD.status = 'booked')::int,
			waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int
			WHERE id = OLD.session_id;
	END IF;
	IF NEW.status IN ('booked', 'waitlisted') THEN
		UPDATE exam_sessions SET booked_count = booked_count + (NEW.status = 'booked')::int,
			waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int
			WHERE id = NEW.session_id;
	END IF;
	RETURN NULL;
END
$$;

CREATE TABLE user_counts (
	role  text PRIMARY KEY CHECK (role IN ('candidate', 'examiner', 'admin')),
	n     bigint NOT NULL CHECK (n >= 0)
);
INSERT INTO user_counts
	SELECT r, (SELECT count(*) FROM users WHERE role = r) FROM unnest(ARRAY['candidate', 'examiner', 'admin']) r;

-- SECURITY DEFINER: the application's role reads the counts and cannot change them itself.
CREATE FUNCTION users_keep_count() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.role = NEW.role THEN
		RETURN NULL;
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE user_counts SET n = n - 1 WHERE role = OLD.role;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		UPDATE user_counts SET n = n + 1 WHERE role = NEW.role;
	END IF;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION users_keep_count() FROM PUBLIC;
CREATE TRIGGER users_keep_count AFTER INSERT OR DELETE OR UPDATE OF role ON users
	FOR EACH ROW EXECUTE FUNCTION users_keep_count();

GRANT SELECT ON user_counts TO esonr_app;

-- A candidate's results, certificates' checks and past bookings: bookings by candidate
-- (the partial unique index covers live bookings only).
CREATE INDEX bookings_user ON bookings (user_id);
-- The examiner's dashboard: sessions by examiner. The office's: sessions not published yet.
CREATE INDEX session_examiners_user ON session_examiners (user_id);
CREATE INDEX exam_sessions_unpublished ON exam_sessions (starts_at) WHERE published_at IS NULL;
