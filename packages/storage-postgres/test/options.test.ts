import { isStorageError } from "@vcon/storage-core";
import { createTestDatabase } from "@vcon/test-postgres";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, get, parsePostgresOptions, resolveTarget, save } from "../src/index.js";
import { poolConfig } from "../src/options.js";
import { sampleVcon } from "./helpers.js";

describe("connection options", () => {
  it("takes the seed's defaults when nothing is given", () => {
    const target = resolveTarget(parsePostgresOptions({}), {});
    expect(target).toMatchObject({
      host: "localhost",
      port: 5432,
      database: "vcon_db",
      user: "postgres",
      password: "",
    });
  });

  it("fills what options leave out from POSTGRES_* variables, then POSTGRES_URL", () => {
    const env = {
      POSTGRES_HOST: "db.internal",
      POSTGRES_PORT: "6543",
      POSTGRES_PASSWORD: "from-env",
      POSTGRES_URL: "postgres://urluser:urlpass@url-host:7000/urldb",
    };
    expect(resolveTarget(parsePostgresOptions({ database: "explicit" }), env)).toMatchObject({
      host: "db.internal",
      port: 6543,
      database: "explicit",
      user: "urluser",
      password: "from-env",
    });
  });

  it("an explicit url wins over the environment; explicit fields win over the url", () => {
    const env = { POSTGRES_HOST: "env-host", POSTGRES_DB: "env-db" };
    const options = parsePostgresOptions({ url: "postgres://u:p%40ss@url-host:5433/url-db", port: 6000 });
    expect(resolveTarget(options, env)).toMatchObject({
      host: "url-host",
      port: 6000,
      database: "url-db",
      user: "u",
      password: "p@ss",
    });
  });

  it("maps pool size, timeouts, application_name and sslmode onto pg", () => {
    const options = parsePostgresOptions({
      url: "postgres://u@h/d?sslmode=verify-full",
      poolSize: 3,
      connectionTimeoutMs: 1500,
      statementTimeoutMs: 2500,
      applicationName: "billing",
    });
    expect(poolConfig(options, resolveTarget(options, {}))).toMatchObject({
      max: 3,
      connectionTimeoutMillis: 1500,
      statement_timeout: 2500,
      application_name: "billing",
      ssl: { rejectUnauthorized: true },
    });
    const relaxed = parsePostgresOptions({ sslmode: "require", ssl: { ca: "CERT" } });
    expect(poolConfig(relaxed, resolveTarget(relaxed, {})).ssl).toEqual({
      rejectUnauthorized: false,
      ca: "CERT",
    });
    const off = parsePostgresOptions({ sslmode: "disable", ssl: true });
    expect(poolConfig(off, resolveTarget(off, {})).ssl).toBe(false);
  });

  it("bad options are VALIDATION errors naming the field", () => {
    const bad = [{ port: 70_000 }, { poolSize: 0 }, { embedded: "yes" }, { sslmode: "always" }, { nope: 1 }];
    for (const options of bad) {
      const error = (() => {
        try {
          parsePostgresOptions(options);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isStorageError(error, "VALIDATION")).toBe(true);
      expect((error as Error).message).toMatch(/options/);
    }
  });

  it("a malformed url is a VALIDATION error that does not echo it", () => {
    const error = (() => {
      try {
        resolveTarget(parsePostgresOptions({ url: "not a url with s3cret" }), {});
      } catch (caught) {
        return caught;
      }
    })();
    expect(isStorageError(error, "VALIDATION")).toBe(true);
    expect((error as Error).message).not.toContain("s3cret");
  });
});

describe("module-level save and get, as in the seed", () => {
  afterAll(() => closeAll());

  it("save(vcon, options) then get(uuid, options) round-trips, one cached storage per target", async () => {
    const database = await createTestDatabase("module_api");
    try {
      const url = new URL(database.url);
      const options = {
        host: url.hostname,
        port: Number(url.port),
        database: database.name,
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      };
      const vcon = sampleVcon();
      await save(vcon, options);
      expect(await get(vcon.uuid, options)).toEqual(vcon);
      // The same options object is not read again: changing it afterwards changes nothing.
      const again = { ...options };
      expect(await get(vcon.uuid, again)).toEqual(vcon);
      again.database = "no_such_database";
      expect(await get(vcon.uuid, again)).toEqual(vcon);
      expect(await get(crypto.randomUUID(), options)).toBeNull();
      await closeAll();
      // After closeAll a new storage is opened on demand.
      expect(await get(vcon.uuid, options)).toEqual(vcon);
      await closeAll();
    } finally {
      await database.drop();
    }
  });

  it("works on an embedded PGlite target too", async () => {
    const vcon = sampleVcon();
    await save(vcon, { embedded: true });
    expect(await get(vcon.uuid, { embedded: true })).toEqual(vcon);
  });
});
