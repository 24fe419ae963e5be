-- Examination sessions, examiners, bookings with waiting lists, certificates held.

CREATE TABLE exam_sessions (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	exam_code     text NOT NULL REFERENCES exams,
	starts_at     timestamptz NOT NULL,
	time_zone     text NOT NULL DEFAULT 'Europe/Vienna',
	location      text NOT NULL CHECK (char_length(location) BETWEEN 1 AND 200),
	capacity      int NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
	opens_at      timestamptz NOT NULL,
	closes_at     timestamptz NOT NULL CHECK (closes_at > opens_at),
	cancel_until  timestamptz NOT NULL,
	-- set by `session close`: booking has ended and the roster is fixed
	closed_at     timestamptz,
	published_at  timestamptz,
	-- kept by the bookings trigger; the CHECK is the backstop against overbooking
	booked_count  int NOT NULL DEFAULT 0 CHECK (booked_count >= 0 AND booked_count <= capacity),
	created_by    bigint REFERENCES users,
	created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exam_sessions_open ON exam_sessions (closes_at);

CREATE TABLE session_examiners (
	session_id  bigint NOT NULL REFERENCES exam_sessions ON DELETE CASCADE,
	user_id     bigint NOT NULL REFERENCES users,
	assigned_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (session_id, user_id)
);

CREATE TABLE bookings (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	session_id   bigint NOT NULL REFERENCES exam_sessions,
	exam_code    text NOT NULL REFERENCES exams,
	user_id      bigint NOT NULL REFERENCES users,
	status       text NOT NULL CHECK (status IN ('booked', 'waitlisted', 'cancelled')),
	-- a stable calendar UID; SEQUENCE rises with every change the candidate should see
	ics_uid      text NOT NULL UNIQUE,
	ics_sequence int NOT NULL DEFAULT 0,
	created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	cancelled_at timestamptz
);
-- One live booking (or place on a waiting list) per candidate and examination.
CREATE UNIQUE INDEX bookings_one_live_per_exam ON bookings (user_id, exam_code)
	WHERE status <> 'cancelled';
CREATE INDEX bookings_session ON bookings (session_id, status, created_at, id);

CREATE FUNCTION bookings_keep_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NEW.status = 'booked' THEN
			UPDATE exam_sessions SET booked_count = booked_count + 1 WHERE id = NEW.session_id;
		END IF;
	ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.session_id <> NEW.session_id THEN
		IF OLD.status = 'booked' THEN
			UPDATE exam_sessions SET booked_count = booked_count - 1 WHERE id = OLD.session_id;
		END IF;
		IF NEW.status = 'booked' THEN
			UPDATE exam_sessions SET booked_count = booked_count + 1 WHERE id = NEW.session_id;
		END IF;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER bookings_keep_count AFTER INSERT OR UPDATE ON bookings
	FOR EACH ROW EXECUTE FUNCTION bookings_keep_count();

-- Certificates held (issued at publication; see the results migration).
CREATE TABLE certificates (
	number          text PRIMARY KEY CHECK (number ~ '^ESNR-[A-Z0-9-]+-[0-9]{4}-[0-9]{4,}$'),
	user_id         bigint NOT NULL REFERENCES users,
	exam_code       text NOT NULL REFERENCES exams,
	session_id      bigint REFERENCES exam_sessions,
	year            int NOT NULL,
	serial          int NOT NULL CHECK (serial > 0),
	issued_at       timestamptz NOT NULL DEFAULT now(),
	holder_name     text NOT NULL,
	revoked_at      timestamptz,
	revoked_reason  text,
	superseded_by   text REFERENCES certificates,
	UNIQUE (exam_code, year, serial),
	CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX certificates_user ON certificates (user_id);

GRANT SELECT, INSERT, UPDATE ON exam_sessions, bookings TO esonr_app;
GRANT SELECT, INSERT, DELETE ON session_examiners TO esonr_app;
GRANT SELECT, INSERT, UPDATE ON certificates TO esonr_app;
