-- A pass whose certificate could not be made at publication (a name the certificate font
-- cannot draw, registered before names were checked): the others are issued, this one is
-- reported to the office until it is issued (publishing the session again retries it).
CREATE TABLE certificate_problems (
	booking_id  bigint PRIMARY KEY REFERENCES bookings,
	problem     text NOT NULL CHECK (problem <> ''),
	noted_at    timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE, DELETE ON certificate_problems TO esonr_app;
