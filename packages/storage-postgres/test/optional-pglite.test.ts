import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const support = (name: string) => fileURLToPath(new URL(`./support/${name}`, import.meta.url));

it("without @electric-sql/pglite installed the package loads, and embedded mode is UNAVAILABLE naming it", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "--conditions=@vcon/source",
      "--import",
      "tsx",
      "--import",
      support("without-pglite.mjs"),
      support("open-without-pglite.ts"),
    ],
    { cwd: fileURLToPath(new URL("..", import.meta.url)), timeout: 60_000 },
  );
  expect(JSON.parse(stdout)).toEqual({
    serverOptions: true,
    embedded: {
      code: "UNAVAILABLE",
      retryable: false,
      message: expect.stringContaining("npm install @electric-sql/pglite"),
    },
  });
}, 60_000);
