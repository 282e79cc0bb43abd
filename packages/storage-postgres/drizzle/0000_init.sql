CREATE TABLE "vcons" (
	"id" uuid PRIMARY KEY NOT NULL,
	"vcon" text NOT NULL,
	"uuid" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now(),
	"subject" text,
	"vcon_json" jsonb
);
--> statement-breakpoint
CREATE INDEX "vcons_uuid_idx" ON "vcons" USING btree ("uuid");--> statement-breakpoint
CREATE INDEX "vcons_created_at_idx" ON "vcons" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "vcons_parties_idx" ON "vcons" USING gin (("vcon_json" -> 'parties') jsonb_path_ops);