/** The IETF draft samples at ../shared/vcon-samples (relative to the repo root), when present. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SAMPLES_DIR = fileURLToPath(
  new URL("../../../../shared/vcon-samples/ietf-vcon-core/", import.meta.url),
);
export const HAVE_SAMPLES = existsSync(SAMPLES_DIR);

/** Every `.vcon` sample by file name, as parsed JSON and as text. */
export function readSamples(): Array<{ file: string; text: string; document: Record<string, unknown> }> {
  if (!HAVE_SAMPLES) return [];
  return readdirSync(SAMPLES_DIR)
    .filter((file) => file.endsWith(".vcon"))
    .sort()
    .map((file) => {
      const text = readFileSync(`${SAMPLES_DIR}${file}`, "utf8");
      return { file, text, document: JSON.parse(text) };
    });
}
