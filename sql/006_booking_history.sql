-- A booking stops being "live" when its session is published: a candidate who failed (or
-- was absent, or stayed on the waiting list) may then book the exam again.
ALTER TABLE bookings ADD COLUMN live boolean NOT NULL DEFAULT true;
DROP INDEX bookings_one_live_per_exam;
CREATE UNIQUE INDEX bookings_one_live_per_exam ON bookings (user_id, exam_code)
	WHERE live AND status <> 'cancelled';
UPDATE bookings b SET live = false FROM exam_sessions s
	WHERE s.id = b.session_id AND s.published_at IS NOT NULL;
