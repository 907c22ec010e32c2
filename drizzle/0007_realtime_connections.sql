CREATE TABLE "realtime_connection" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "realtime_connection_user_idx" ON "realtime_connection" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "realtime_connection_instance_idx" ON "realtime_connection" USING btree ("instance_id");