-- What every candidate's page shows alike (the rules of each exam, and the sessions not
-- published yet with their dates written out) is kept by each portal process
-- (src/db/shared_view.c) instead of read and formatted again at every page view. This
-- version says when a copy is out of date: every change to what the copy holds moves it on,
-- in the same transaction, and every page reads it in the same round trip as its own rows,
-- so that the next page after a change shows it. Bookings change only the session's counts,
-- which pages read live: they do not move it.

CREATE TABLE shared_view_version (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	v    bigint NOT NULL
);
INSERT INTO shared_view_version VALUES (true, 1);
GRANT SELECT ON shared_view_version TO esonr_app;

-- SECURITY DEFINER: the portal moves it by changing what it covers, never by itself.
CREATE FUNCTION shared_view_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE shared_view_version SET v = v + 1;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION shared_view_changed() FROM PUBLIC;

CREATE TRIGGER shared_view_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON exam_rules
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
CREATE TRIGGER shared_view_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON attestation_kinds
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
CREATE TRIGGER shared_view_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON courses
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
CREATE TRIGGER shared_view_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON exams
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
-- Everything of a session but the counts the bookings trigger keeps (and its creator).
CREATE TRIGGER shared_view_changed AFTER INSERT OR DELETE OR TRUNCATE ON exam_sessions
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
CREATE TRIGGER shared_view_changed_session AFTER UPDATE OF exam_code, starts_at, time_zone,
	location, capacity, opens_at, closes_at, cancel_until, closed_at, published_at ON exam_sessions
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
