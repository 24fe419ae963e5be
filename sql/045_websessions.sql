-- Browser sessions get a name of their own (issue 8): "sessions" also meant exam sessions
-- (exam_sessions), and a reader had to guess. The browser's are websessions, as in the code
-- (auth/websession.c, db/websessions.c). Grants follow a rename (sql/040 granted by name);
-- indexes and constraints are renamed with the table so that their names say the same.
ALTER TABLE sessions RENAME TO websessions;
ALTER INDEX sessions_pkey RENAME TO websessions_pkey;
ALTER INDEX sessions_user RENAME TO websessions_user;
ALTER INDEX sessions_expires RENAME TO websessions_expires;
ALTER TABLE websessions RENAME CONSTRAINT sessions_token_hash_check TO websessions_token_hash_check;
ALTER TABLE websessions RENAME CONSTRAINT sessions_user_id_fkey TO websessions_user_id_fkey;

-- audit_append (sql/041) finds the actor through the browser's session by the table's name,
-- resolved when it runs: the same function, reading websessions.
CREATE OR REPLACE FUNCTION audit_append(p_actor bigint, p_action text, p_entity text, p_entity_id text,
	p_before jsonb, p_after jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	head audit_head%ROWTYPE;
	t timestamptz := clock_timestamp();
	h bytea;
	actor bigint := p_actor;
	token text;
BEGIN
	IF session_user = 'esonr_app' THEN
		actor := NULL;
		token := current_setting('esonr.session', true);
		IF token IS NOT NULL AND token <> '' THEN
			IF token !~ '^[0-9a-f]{64}$' THEN
				RAISE EXCEPTION 'audit: esonr.session is not a session token hash'
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			SELECT s.user_id INTO actor FROM websessions s
			WHERE s.token_hash = decode(token, 'hex') AND s.expires_at > now() AND s.user_id IS NOT NULL;
			IF actor IS NULL THEN
				RAISE EXCEPTION 'audit: the session is not signed in'
					USING ERRCODE = 'insufficient_privilege';
			END IF;
		END IF;
		IF p_actor IS DISTINCT FROM actor THEN
			RAISE EXCEPTION 'audit: the actor named (%) is not the user of the session (%)',
				coalesce(p_actor::text, 'none'), coalesce(actor::text, 'none')
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	-- The head row lock orders concurrent appends: one chain, no forks.
	SELECT * INTO head FROM audit_head FOR UPDATE;
	h := sha256(head.last_hash || convert_to(audit_payload(head.last_id + 1, t, actor,
		p_action, p_entity, p_entity_id, p_before, p_after), 'UTF8'));
	INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, before, after, prev_hash, hash)
		VALUES (head.last_id + 1, t, actor, p_action, p_entity, p_entity_id, p_before, p_after,
			head.last_hash, h);
	UPDATE audit_head SET last_id = head.last_id + 1, last_hash = h;
	RETURN head.last_id + 1;
END
$$;
REVOKE ALL ON FUNCTION audit_append(bigint, text, text, text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(bigint, text, text, text, jsonb, jsonb) TO esonr_app;
