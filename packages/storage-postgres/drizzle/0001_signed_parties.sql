DROP INDEX "vcons_parties_idx";--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "parties" jsonb;--> statement-breakpoint
CREATE INDEX "vcons_parties_idx" ON "vcons" USING gin ((COALESCE("parties", "vcon_json" -> 'parties')) jsonb_path_ops);