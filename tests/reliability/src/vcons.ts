import { randomUUID } from "node:crypto";
import type { Vcon } from "@vcon/storage-core";

/** A small valid vCon with a fresh uuid (or the given one) and an optional marker in its subject. */
export function smallVcon(uuid: string = randomUUID(), subject = "reliability"): Vcon {
  return {
    vcon: "0.3.0",
    uuid,
    created_at: "2025-03-01T10:00:00.000Z",
    subject,
    parties: [{ tel: "+15550100001", name: "Ada" }],
    dialog: [],
    analysis: [],
    attachments: [],
  };
}
