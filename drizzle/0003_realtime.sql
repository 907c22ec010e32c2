CREATE TABLE "realtime_client" (
	"document" text NOT NULL,
	"client_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "realtime_client_document_client_id_pk" PRIMARY KEY("document","client_id")
);
--> statement-breakpoint
CREATE TABLE "realtime_snapshot" (
	"document" text PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"data" "bytea" NOT NULL,
	"compacted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "realtime_update" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"document" text NOT NULL,
	"key_id" text NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "realtime_client" ADD CONSTRAINT "realtime_client_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "realtime_client_user_idx" ON "realtime_client" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "realtime_update_document_idx" ON "realtime_update" USING btree ("document","id");