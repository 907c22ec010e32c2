-- Failures live only for the sign-in window, and the old rows hold unsalted SHA-256 keys that must not stay:
-- start empty, which also lets the new NOT NULL columns be added to a table that had rows.
DELETE FROM "login_failure";--> statement-breakpoint
DROP INDEX "login_failure_key_idx";--> statement-breakpoint
ALTER TABLE "login_failure" ADD COLUMN "account_key" text NOT NULL;--> statement-breakpoint
ALTER TABLE "login_failure" ADD COLUMN "address_key" text NOT NULL;--> statement-breakpoint
CREATE INDEX "login_failure_account_idx" ON "login_failure" USING btree ("account_key","failed_at");--> statement-breakpoint
CREATE INDEX "login_failure_address_idx" ON "login_failure" USING btree ("address_key","failed_at");--> statement-breakpoint
ALTER TABLE "login_failure" DROP COLUMN "key_hash";