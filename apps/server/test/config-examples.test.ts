import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseOptions } from "@vcon/storage-core";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { appRegistry, configFrom, type LoadedConfig, loadConfig } from "../src/index.js";

const appDir = join(import.meta.dirname, "..");
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A value for every `${NAME}` without a default, so a documented config loads as users would run it. */
function envFor(text: string): NodeJS.ProcessEnv {
  return Object.fromEntries([...text.matchAll(REFERENCE)].map(([, name]) => [name, `example-${name}`]));
}

/** Resolves each storage's adapter by name and runs its own option schema, as the server does at start. */
async function expectValidStorages(loaded: LoadedConfig): Promise<void> {
  const registry = appRegistry();
  const names = Object.keys(loaded.config.storages);
  expect(names.length).toBeGreaterThan(0);
  for (const [name, entry] of Object.entries(loaded.config.storages)) {
    const definition = await registry.resolve(entry.adapter);
    await expect(parseOptions(definition, entry.options), `storage ${name}`).resolves.toBeDefined();
  }
}

describe("documented configurations stay valid", () => {
  it("vcon-server.example.yaml: every storage's options pass its adapter's schema", async () => {
    const file = join(appDir, "vcon-server.example.yaml");
    const loaded = loadConfig({ file, env: envFor(readFileSync(file, "utf8")) });
    expect(Object.keys(loaded.config.storages)).toEqual(["primary", "archive"]);
    await expectValidStorages(loaded);
  });

  it("a misspelt option is caught by this check (the file adapter's is `directory`)", async () => {
    const loaded = configFrom(
      { storages: { archive: { adapter: "file", options: { dir: "./x" } } } },
      "test",
    );
    await expect(expectValidStorages(loaded)).rejects.toThrow();
  });

  const readme = readFileSync(join(appDir, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it("the README has YAML configuration blocks", () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  for (const [index, block] of blocks.entries()) {
    it(`README YAML block ${index + 1} is a valid configuration`, async () => {
      await expectValidStorages(configFrom(parseYaml(block), `README block ${index + 1}`, envFor(block)));
    });
  }
});

describe("the README's configuration table", () => {
  const readme = readFileSync(join(appDir, "README.md"), "utf8");
  /** Each row by its first cell (`server.port`, storage `write`): the rest of the row. */
  const rows = new Map(
    [...readme.matchAll(/^\| (`[\w.]+`|storage `\w+`) \|(.*)$/gm)].map(([, name, rest]) => [name!, rest!]),
  );
  // Every setting the schemas know, with the default a configuration that leaves it out gets.
  const { server, replication, storages } = configFrom(
    { storages: { primary: { adapter: "memory" } } },
    "test",
  ).config;
  const { adapter: _named, ...storageDefaults } = storages.primary!;
  const settings: [string, unknown][] = [
    ...Object.entries(server).map(([key, value]): [string, unknown] => [`\`server.${key}\``, value]),
    ...Object.entries(replication).map(([key, value]): [string, unknown] => [
      `\`replication.${key}\``,
      value,
    ]),
    ["storage `adapter`", undefined],
    ...Object.entries(storageDefaults).map(([key, value]): [string, unknown] => [
      `storage \`${key}\``,
      value,
    ]),
  ];

  for (const [name, value] of settings) {
    it(`has a row for ${name}${typeof value === "object" || value === undefined ? "" : " with its default"}`, () => {
      const row = rows.get(name);
      expect(row, `no README row for ${name}`).toBeDefined();
      if (typeof value !== "object" && value !== undefined) expect(row).toContain(`\`${String(value)}\``);
    });
  }
});
