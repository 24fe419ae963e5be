-- Results, committee decisions, amendments, certificate serials and the audit log.

-- One row per booking that has been marked. With two oral markers (exams.double_oral)
-- each examiner's oral mark is kept apart; an admin resolves a gap above the tolerance.
CREATE TABLE results (
	booking_id        bigint PRIMARY KEY REFERENCES bookings,
	absent            boolean NOT NULL DEFAULT false,
	written           int CHECK (written BETWEEN 0 AND 100),
	oral_a            int CHECK (oral_a BETWEEN 0 AND 100),
	oral_a_by         bigint REFERENCES users,
	oral_b            int CHECK (oral_b BETWEEN 0 AND 100),
	oral_b_by         bigint REFERENCES users,
	oral_resolved     int CHECK (oral_resolved BETWEEN 0 AND 100),
	oral_resolved_reason text,
	-- computed from the pass marks by the portal each time the row changes
	computed_outcome  text NOT NULL CHECK (computed_outcome IN ('pending', 'gap', 'pass', 'fail', 'absent')),
	-- the examination committee's decision, when it differs; always with a reason
	decision          text CHECK (decision IN ('pass', 'fail', 'absent')),
	decision_reason   text,
	decided_by        bigint REFERENCES users,
	amended_at        timestamptz,
	amendment_reason  text,
	entered_by        bigint REFERENCES users,
	updated_at        timestamptz NOT NULL DEFAULT now(),
	CHECK ((decision IS NULL) = (decision_reason IS NULL)),
	CHECK ((oral_resolved IS NULL) = (oral_resolved_reason IS NULL)),
	CHECK (oral_a_by IS NULL OR oral_b_by IS NULL OR oral_a_by <> oral_b_by),
	CHECK (NOT absent OR (written IS NULL AND oral_a IS NULL AND oral_b IS NULL))
);

-- Serial numbers without gaps per exam and year: the counter row is locked and bumped in
-- the publishing transaction, so a rolled-back publication leaves no hole.
CREATE TABLE certificate_serials (
	exam_code   text NOT NULL REFERENCES exams,
	year        int NOT NULL,
	last_serial int NOT NULL DEFAULT 0,
	PRIMARY KEY (exam_code, year)
);

GRANT SELECT, INSERT, UPDATE ON results, certificate_serials TO esonr_app;

-- The audit log: append-only and hash-chained. The portal's role can only read it and
-- append through audit_append(); a trigger refuses UPDATE and DELETE for everyone, and
-- `esonrctl audit verify` recomputes the chain to detect rows changed behind its back.
CREATE TABLE audit_log (
	id         bigint PRIMARY KEY,
	at         timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor_id   bigint REFERENCES users,
	action     text NOT NULL,
	entity     text NOT NULL,
	entity_id  text NOT NULL,
	before     jsonb,
	after      jsonb,
	prev_hash  bytea NOT NULL,
	hash       bytea NOT NULL
);

-- The chain's head, so that removing the newest rows is detected as well.
CREATE TABLE audit_head (
	one        boolean PRIMARY KEY DEFAULT true CHECK (one),
	last_id    bigint NOT NULL,
	last_hash  bytea NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_payload(id bigint, at timestamptz, actor_id bigint, action text,
	entity text, entity_id text, before jsonb, after jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT concat_ws('|', id::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		coalesce(actor_id::text, '-'), action, entity, entity_id,
		coalesce(before::text, 'null'), coalesce(after::text, 'null'))
$$;

CREATE FUNCTION audit_append(p_actor bigint, p_action text, p_entity text, p_entity_id text,
	p_before jsonb, p_after jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	head audit_head%ROWTYPE;
	t timestamptz := clock_timestamp();
	h bytea;
BEGIN
	-- The head row lock orders concurrent appends: one chain, no forks.
	SELECT * INTO head FROM audit_head FOR UPDATE;
	h := sha256(head.last_hash || convert_to(audit_payload(head.last_id + 1, t, p_actor,
		p_action, p_entity, p_entity_id, p_before, p_after), 'UTF8'));
	INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, before, after, prev_hash, hash)
		VALUES (head.last_id + 1, t, p_actor, p_action, p_entity, p_entity_id, p_before, p_after,
			head.last_hash, h);
	UPDATE audit_head SET last_id = head.last_id + 1, last_hash = h;
	RETURN head.last_id + 1;
END
$$;

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

REVOKE ALL ON audit_log, audit_head FROM PUBLIC;
GRANT SELECT ON audit_log, audit_head TO esonr_app;
REVOKE ALL ON FUNCTION audit_append(bigint, text, text, text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(bigint, text, text, text, jsonb, jsonb) TO esonr_app;
