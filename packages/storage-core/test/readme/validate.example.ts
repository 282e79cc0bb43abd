// test/readme/validate.example.ts
import { validateVcon } from "@vcon/storage-core";

const vcon = {
  uuid: "0190f1c2-8a3b-7cde-9f01-23456789abcd",
  created_at: "2024-01-15T12:30:00Z",
  parties: [{ tel: "+15551230001" }],
  dialog: [{ type: "video", start: "2024-01-15T12:30:00Z", parties: [0, 1] }],
};

// "storage": what save() needs (a JSON object with a valid uuid). Older drafts pass.
export const forStorage = validateVcon(vcon, { level: "storage" }); // { ok: true, issues: [] }

// "draft": the IETF vCon core draft's rules, every problem with its JSON path.
export const forDraft = validateVcon(vcon, { level: "draft" });
// forDraft.issues: [{ path: "$.dialog[0].type", ... }, { path: "$.dialog[0].parties[1]", ... }]
