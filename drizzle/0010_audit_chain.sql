ALTER TABLE "audit_event" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_event" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_event" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "audit_event_object_idx" ON "audit_event" USING btree ("object_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_event_chain_idx" ON "audit_event" USING btree ("chain_seq");--> statement-breakpoint
-- The audit log's hash chain (src/lib/server/audit/chain.ts). Each event gets the next chain_seq, the
-- previous event's hash, and its own hash: sha256 of the previous hash followed by the event's canonical
-- text. Inserts take a lock until they commit, so the chain follows commit order; the append-only
-- triggers already refuse any later change.
CREATE FUNCTION audit_event_text(e audit_event) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_array(
		e.chain_seq, e.id, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		e.actor_id, e.action, e.object_type, e.object_id, e.group_id, e.detail
	)::text
$$;
--> statement-breakpoint
CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	last_seq bigint;
	last_hash text;
BEGIN
	PERFORM pg_advisory_xact_lock(727005);
	SELECT chain_seq, hash INTO last_seq, last_hash FROM audit_event
		WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
	NEW.chain_seq := coalesce(last_seq, 0) + 1;
	NEW.prev_hash := last_hash;
	NEW.hash := encode(sha256(convert_to(coalesce(last_hash, '') || audit_event_text(NEW), 'UTF8')), 'hex');
	RETURN NEW;
END;
$$;
--> statement-breakpoint
ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only;
--> statement-breakpoint
DO $$
DECLARE
	event_id bigint;
	seq bigint := 0;
	previous text;
BEGIN
	FOR event_id IN SELECT id FROM audit_event ORDER BY id LOOP
		seq := seq + 1;
		UPDATE audit_event SET chain_seq = seq, prev_hash = previous WHERE id = event_id;
		UPDATE audit_event e
			SET hash = encode(sha256(convert_to(coalesce(previous, '') || audit_event_text(e), 'UTF8')), 'hex')
			WHERE id = event_id
			RETURNING hash INTO previous;
	END LOOP;
END;
$$;
--> statement-breakpoint
ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only;
--> statement-breakpoint
CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
