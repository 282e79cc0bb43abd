CREATE TABLE "vcons_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"uuid" uuid NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "public"."vcons_record_changes"() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
-- The change log's triggers call this (recordChanges(true) makes them): statement-level, with the
-- statement's rows in the transition tables new_rows / old_rows, so a multi-row upsert or a batch
-- costs one INSERT ... SELECT. An upsert's inserted rows reach the INSERT trigger, its updated rows
-- the UPDATE trigger: one change per uuid either way. SECURITY DEFINER: every role that may write
-- the table records its changes without rights on the change log (names qualified, search_path fixed).
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "vcons_changes" (uuid) SELECT id FROM new_rows;
  ELSIF TG_OP = 'UPDATE' THEN
    -- A write rewrites the document or stamps updated_at (every save does); the search-key backfill
    -- does neither and records nothing. A changed id is a delete of the old uuid and a write of the new.
    INSERT INTO "vcons_changes" (uuid)
    SELECT COALESCE(n.id, o.id) FROM new_rows n FULL JOIN old_rows o ON o.id = n.id
    WHERE n.id IS NULL OR o.id IS NULL OR n.updated_at IS DISTINCT FROM o.updated_at
       OR n.vcon IS DISTINCT FROM o.vcon OR n.vcon_json IS DISTINCT FROM o.vcon_json;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "vcons_changes" (uuid) SELECT id FROM old_rows;
  ELSIF TG_OP = 'TRUNCATE' THEN
    -- Runs BEFORE the truncation: every uuid stored is about to go.
    INSERT INTO "vcons_changes" (uuid) SELECT id FROM "vcons";
  END IF;
  RETURN NULL;
END
$$;
