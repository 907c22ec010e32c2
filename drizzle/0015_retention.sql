CREATE TABLE "group_retention" (
	"group_id" text PRIMARY KEY NOT NULL,
	"hold_since" timestamp with time zone,
	"hold_reason" text,
	"hold_set_by" text,
	"held_ms" bigint DEFAULT 0 NOT NULL,
	"purge_started_at" timestamp with time zone,
	"purged_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "group_retention" ADD CONSTRAINT "group_retention_group_id_group_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."group"("id") ON DELETE cascade ON UPDATE no action;