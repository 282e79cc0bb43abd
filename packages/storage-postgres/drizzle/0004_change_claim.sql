CREATE TABLE "vcons_change_claim" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"holder" text NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vcons_change_claim_singleton" CHECK ("vcons_change_claim"."singleton")
);
