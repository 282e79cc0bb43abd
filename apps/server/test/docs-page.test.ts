import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../src/http/openapi/operations.js";
import { type RunningServer, startServer } from "./helpers.js";

/** The README's screenshot; rewritten by `UPDATE_DOCS_SCREENSHOT=1 pnpm vitest run test/docs-page.test.ts`. */
const SCREENSHOT = join(import.meta.dirname, "..", "docs", "api-reference.png");

function findChromium(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

const executablePath = findChromium();
if (!executablePath) {
  const reason = "no `chromium` on PATH (Debian: apt-get install chromium)";
  if (process.env.CI === "true") throw new Error(`CI=true and ${reason}`);
  console.warn(`[example-server] API docs page: skipped, ${reason}`);
}

describe.skipIf(!executablePath)("API reference page at /docs, in headless Chromium", () => {
  let running: RunningServer;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    running = await startServer({ storages: { primary: { adapter: "memory" } } });
    profile = mkdtempSync(join(tmpdir(), "vcon-docs-chromium-"));
    // A fresh profile folder per run: nothing cached from an earlier page.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: executablePath!,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      viewport: { width: 1280, height: 1400 },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("renders every operation from files this server serves, nothing from elsewhere", async () => {
    const page = await browser.newPage();
    const origins = new Set<string>();
    page.on("request", (request) => {
      origins.add(new URL(request.url()).origin);
    });
    await page.goto(`${running.url}/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });

    expect(await page.locator(".info .title").textContent()).toContain("vCon storage server");
    const rendered = await page.locator(".opblock").count();
    expect(rendered).toBe(Object.keys(operations).length);
    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    expect(paths.map((p) => p.replace(/\u200b/g, ""))).toEqual(
      expect.arrayContaining(["/vcons", "/vcons/{uuid}", "/vcon", "/vcons/search"]),
    );
    // operationIds are shown (displayOperationId), so generated clients' names can be looked up.
    await expect(page.getByText("saveVcons").first().isVisible()).resolves.toBe(true);
    expect([...origins]).toEqual([running.url]);

    if (process.env.UPDATE_DOCS_SCREENSHOT === "1") await page.screenshot({ path: SCREENSHOT });
    await page.close();
  });
});
