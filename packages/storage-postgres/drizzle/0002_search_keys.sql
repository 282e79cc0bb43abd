-- pg_trgm serves the substring filters. Where it cannot be installed (a PGlite created without it, a
-- server without the contrib package, a role that may not create it) search still works, unindexed.
DO $$ BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN feature_not_supported OR undefined_file OR insufficient_privilege THEN
  RAISE NOTICE 'pg_trgm is not available: substring search works without trigram indexes';
END $$;--> statement-breakpoint
DROP INDEX "vcons_parties_idx";--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "tels" text[];--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "mailtos" text[];--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "party_names" text;--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "subject_key" text;--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "search_text" text;--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "tags" text[];--> statement-breakpoint
ALTER TABLE "vcons" ADD COLUMN "keyed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "vcons_tels_idx" ON "vcons" USING gin ("tels") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "vcons_mailtos_idx" ON "vcons" USING gin ("mailtos") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "vcons_tags_idx" ON "vcons" USING gin ("tags") WITH (fastupdate=false);--> statement-breakpoint
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS "vcons_party_names_idx" ON "vcons" USING gin ("party_names" gin_trgm_ops) WITH (gin_pending_list_limit=256);
  END IF;
END $$;--> statement-breakpoint
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS "vcons_subject_key_idx" ON "vcons" USING gin ("subject_key" gin_trgm_ops) WITH (gin_pending_list_limit=256);
  END IF;
END $$;--> statement-breakpoint
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS "vcons_search_text_idx" ON "vcons" USING gin ("search_text" gin_trgm_ops) WITH (gin_pending_list_limit=256);
  END IF;
END $$;--> statement-breakpoint
CREATE INDEX "vcons_unkeyed_idx" ON "vcons" USING btree ("id") WHERE "keyed_at" IS NULL;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "public"."vcons_keys_stale"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.keyed_at := NULL;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE OR REPLACE TRIGGER "vcons_keys_stale" BEFORE UPDATE ON "vcons" FOR EACH ROW
  WHEN (NEW.keyed_at IS NOT DISTINCT FROM OLD.keyed_at AND NEW.keyed_at IS NOT NULL
        AND (NEW.vcon IS DISTINCT FROM OLD.vcon OR NEW.vcon_json IS DISTINCT FROM OLD.vcon_json))
  EXECUTE FUNCTION "public"."vcons_keys_stale"();