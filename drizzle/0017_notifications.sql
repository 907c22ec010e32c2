CREATE TABLE "notification_setting" (
	"user_id" text PRIMARY KEY NOT NULL,
	"email" text DEFAULT 'each' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"quiet_start" integer,
	"quiet_end" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification" ADD COLUMN "space" text;--> statement-breakpoint
ALTER TABLE "notification" ADD COLUMN "target_id" text;--> statement-breakpoint
ALTER TABLE "notification" ADD COLUMN "care_of" text;--> statement-breakpoint
ALTER TABLE "notification" ADD COLUMN "emailed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_setting" ADD CONSTRAINT "notification_setting_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_unemailed_idx" ON "notification" USING btree ("user_id") WHERE "notification"."emailed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_session_soon_idx" ON "notification" USING btree ("user_id","target_id") WHERE "notification"."kind" = 'session_soon';--> statement-breakpoint
-- Notifications from before email existed were never waiting for one.
UPDATE "notification" SET "emailed_at" = "created_at";
