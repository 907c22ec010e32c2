-- A connection slot in one round trip (connection-slots.ts): under a per-person advisory lock, count the
-- person's live slots and take one if fewer than p_max are held. PL/pgSQL reads with a fresh snapshot after
-- the lock, so a slot committed by a concurrent call is counted.
CREATE FUNCTION take_realtime_slot(
	p_id text,
	p_instance_id text,
	p_user_id text,
	p_max integer,
	p_now timestamptz,
	p_expires_at timestamptz
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('realtime-slots:' || p_user_id));
	IF (SELECT count(*) FROM realtime_connection WHERE user_id = p_user_id AND expires_at > p_now) >= p_max THEN
		RETURN false;
	END IF;
	INSERT INTO realtime_connection (id, instance_id, user_id, expires_at)
		VALUES (p_id, p_instance_id, p_user_id, p_expires_at);
	RETURN true;
END;
$$;
