-- The open sessions' counts (seats left, waiting lists) that the exams page shows are kept
-- by each portal process (src/db/candidate_view.c) with the seat version they were read
-- under, and a page reads only the version unless it moved. It moves in the transaction of
-- every change to what the copy holds: a booking, a cancellation or a move off the waiting
-- list (the counts), a capacity or closing time changed, a session closed, added or
-- removed. Sixteen stripes by session id instead of one row, so that bookings of different
-- sessions seldom wait on each other's version; pages read their sum, which only grows.

CREATE TABLE seat_versions (
	stripe  int PRIMARY KEY CHECK (stripe >= 0 AND stripe < 16),
	v       bigint NOT NULL
);
INSERT INTO seat_versions SELECT g, 0 FROM generate_series(0, 15) g;
GRANT SELECT ON seat_versions TO esonr_app;

-- SECURITY DEFINER: the portal moves it by changing what it covers, never by itself.
CREATE FUNCTION seats_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		UPDATE seat_versions SET v = v + 1;
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE seat_versions SET v = v + 1 WHERE stripe = OLD.id % 16;
	ELSIF TG_OP = 'INSERT' THEN
		UPDATE seat_versions SET v = v + 1 WHERE stripe = NEW.id % 16;
	ELSIF OLD.booked_count IS DISTINCT FROM NEW.booked_count
		OR OLD.waitlisted_count IS DISTINCT FROM NEW.waitlisted_count
		OR OLD.capacity IS DISTINCT FROM NEW.capacity
		OR OLD.closes_at IS DISTINCT FROM NEW.closes_at
		OR OLD.closed_at IS DISTINCT FROM NEW.closed_at THEN
		UPDATE seat_versions SET v = v + 1 WHERE stripe = NEW.id % 16;
	END IF;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION seats_changed() FROM PUBLIC;

CREATE TRIGGER seats_changed AFTER INSERT OR DELETE OR UPDATE OF booked_count, waitlisted_count,
	capacity, closes_at, closed_at ON exam_sessions
	FOR EACH ROW EXECUTE FUNCTION seats_changed();
CREATE TRIGGER seats_changed_truncate AFTER TRUNCATE ON exam_sessions
	FOR EACH STATEMENT EXECUTE FUNCTION seats_changed();
