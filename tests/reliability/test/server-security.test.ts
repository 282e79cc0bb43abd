/**
 * On a password-protected server this file owns (scram-sha-256, every statement logged): clear errors
 * for each way of not getting in, no password anywhere it could leak, parameterised SQL only, a
 * least-privilege application role, validated identifiers and TLS options passed through.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { isStorageError, type VconStorage } from "@vcon/storage-core";
import { parsePostgresOptions, resolveTarget } from "@vcon/storage-postgres";
import { freePort } from "@vcon/test-postgres";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findVconTable, onDatabase } from "../src/adapter-table.js";
import { caught, errorText, everythingAbout, RecordingLogger } from "../src/capture.js";
import { type OwnedServer, startOwnedServer } from "../src/owned-server.js";
import { createBareAdapter, openPostgres, serverOptions } from "../src/postgres.js";
import { smallVcon } from "../src/vcons.js";

let owned: OwnedServer;
const opened: VconStorage[] = [];

beforeAll(async () => {
  owned = await startOwnedServer(["-c", "log_statement=all"]);
});
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await owned?.dispose();
});

/** Opens a storage, then saves once: an error may surface at either step, and is returned. */
async function firstFailure(
  options: Record<string, unknown>,
  logger = new RecordingLogger(),
): Promise<Error> {
  return caught(async () => {
    const storage = await openPostgres(options, { logger });
    opened.push(storage);
    await storage.save(smallVcon());
  });
}

async function freshDatabase(): Promise<string> {
  const name = `vcon_${randomBytes(5).toString("hex")}`;
  await owned.createDatabase(name);
  return name;
}

describe("errors at start name the cause and the fix", () => {
  it("connection refused, wrong password, missing database and missing table are four distinct errors", async () => {
    const port = await freePort();
    const refused = await firstFailure(
      serverOptions({ url: `postgres://postgres:x@127.0.0.1:${port}/postgres`, timeoutMs: 2_000 }),
    );
    const badPassword = await firstFailure(
      serverOptions({ url: owned.url("postgres", { user: "postgres", password: "wrong-password" }) }),
    );
    const noDatabase = await firstFailure(serverOptions({ url: owned.url("no_such_database") }));
    const noTable = await firstFailure(
      serverOptions({ url: owned.url(await freshDatabase()), autoMigrate: false }),
    );

    for (const error of [refused, badPassword, noDatabase, noTable]) {
      expect(isStorageError(error), String(error)).toBe(true);
      // Our own words, not only the driver's.
      expect(error.message).not.toBe((error.cause as Error | undefined)?.message);
    }
    expect(new Set([refused, badPassword, noDatabase, noTable].map((e) => e.message)).size).toBe(4);

    expect((refused as { code?: string }).code).toBe("UNAVAILABLE");
    expect(refused.message).toMatch(/refused|not reachable|unreachable/i);
    expect(refused.message).toContain(String(port));
    expect(refused.message).toMatch(/check that the server is running/i);

    expect((badPassword as { code?: string }).code).toBe("UNAVAILABLE");
    expect(badPassword.message).toMatch(/password|authentication/i);
    expect(badPassword.message).not.toContain("wrong-password");
    expect(badPassword.message).toMatch(/check the user and password/i);

    expect(noDatabase.message).toContain("no_such_database");
    expect(noDatabase.message).toMatch(/database/i);
    expect(noDatabase.message).toMatch(/create/i);

    expect(noTable.message).toMatch(/table|schema/i);
    expect(noTable.message).toMatch(/migrat/i);
  });
});

describe("the password never leaks", () => {
  const secretHolders = async (options: Record<string, unknown>, password: string) => {
    const logger = new RecordingLogger();
    const captured: string[] = [];
    const storage = await openPostgres(options, { logger });
    opened.push(storage);
    // Good calls and bad ones, so both success and failure paths log.
    await storage.save(smallVcon());
    await storage.get(randomUUID());
    captured.push(errorText(await caught(() => storage.save({ uuid: "bad" } as never))));
    captured.push(everythingAbout(storage), String(storage));
    const adapter = await createBareAdapter(options, logger);
    captured.push(everythingAbout(adapter), String(adapter));
    await adapter.close();
    // Failures that carry the connection details: a missing database and a refused password.
    const missingDb = options.url
      ? { ...options, url: String(options.url).replace(/\/[^/]*$/, "/no_such_db") }
      : { ...options, database: "no_such_db" };
    captured.push(errorText(await firstFailure(missingDb, logger)));
    captured.push(everythingAbout(await caught(() => openPostgres({ ...options, poolSize: -1 }))));
    captured.push(logger.text());
    const all = captured.join("\n");
    expect(all.length).toBeGreaterThan(0);
    for (const form of [password, encodeURIComponent(password)]) expect(all).not.toContain(form);
  };

  it("given in the URL", async () => {
    await secretHolders(serverOptions({ url: owned.url(await freshDatabase()) }), owned.password);
  });

  it("given as the separate `password` option", async () => {
    const url = `postgres://postgres@127.0.0.1:${owned.server.port}/${await freshDatabase()}`;
    await secretHolders({ ...serverOptions({ url }), password: owned.password }, owned.password);
  });

  it("given in the POSTGRES_PASSWORD environment variable", async () => {
    const url = `postgres://postgres@127.0.0.1:${owned.server.port}/${await freshDatabase()}`;
    const before = process.env.POSTGRES_PASSWORD;
    process.env.POSTGRES_PASSWORD = owned.password;
    try {
      await secretHolders(serverOptions({ url }), owned.password);
    } finally {
      if (before === undefined) delete process.env.POSTGRES_PASSWORD;
      else process.env.POSTGRES_PASSWORD = before;
    }
  });

  it("given in the POSTGRES_URL environment variable", async () => {
    const before = process.env.POSTGRES_URL;
    process.env.POSTGRES_URL = owned.url(await freshDatabase());
    try {
      await secretHolders({}, owned.password);
    } finally {
      if (before === undefined) delete process.env.POSTGRES_URL;
      else process.env.POSTGRES_URL = before;
    }
  });

  it("the password of POSTGRES_URL is never sent to the host of an explicit url", () => {
    const env = { POSTGRES_URL: "postgres://shared:secret-of-a@host-a:5432/a" };
    const target = resolveTarget(parsePostgresOptions({ url: "postgres://app@host-b:5432/b" }), env);
    expect(target.host).toBe("host-b");
    expect(target.password).not.toBe("secret-of-a");
    expect(target.user).toBe("app");
  });

  it("a wrong password is not echoed either", async () => {
    const wrong = `wrong-${randomBytes(8).toString("hex")}`;
    const logger = new RecordingLogger();
    const error = await firstFailure(
      serverOptions({ url: owned.url("postgres", { user: "postgres", password: wrong }) }),
      logger,
    );
    const all = [errorText(error), logger.text()].join("\n");
    expect(all).not.toContain(wrong);
  });
});

describe("SQL is parameterised", () => {
  it("no value from a vCon or a query appears in statement text the server logged", async () => {
    const storage = await openPostgres(serverOptions({ url: owned.url(await freshDatabase()) }));
    opened.push(storage);
    const token = `tok${randomBytes(6).toString("hex")}`;
    const uuid = randomUUID();
    const logStart = owned.log.length;
    await storage.save({
      uuid,
      created_at: "2025-02-02T00:00:00Z",
      subject: `subject ${token}`,
      parties: [{ tel: `+1${token}`, mailto: `${token}@example.com`, name: `name ${token}` }],
    });
    await storage.saveMany([{ ...smallVcon(), subject: `batch ${token}` }]);
    await storage.get(uuid);
    await storage.exists(uuid);
    for (const query of [
      { tel: `+1${token}` },
      { mailto: `${token}@example.com` },
      { name: token },
      { subject: token },
    ])
      expect((await storage.search(query)).items.length).toBeGreaterThan(0);
    for await (const _ of storage.export({ since: "2025-01-01T00:00:00Z" })) break;
    await storage.delete(uuid);

    const lines = owned.log.slice(logStart).join("").split("\n");
    const statements = lines.filter((l) => /LOG:\s+(statement|execute)/.test(l));
    expect(statements.length).toBeGreaterThan(5);
    const leaking = lines.filter(
      (l) => (l.includes(token) || l.includes(uuid)) && !/DETAIL:\s+parameters:/i.test(l),
    );
    expect(leaking).toEqual([]);
  });

  it("rejects schema and table names that are not plain identifiers, before touching the server", async () => {
    const url = owned.url(await freshDatabase());
    for (const bad of ['vcons"; drop table x; --', "a b", "1abc", "", "x".repeat(64), "a.b", "ünï"]) {
      for (const options of [serverOptions({ url, table: bad }), serverOptions({ url, schema: bad })]) {
        const error = await caught(() => openPostgres(options));
        expect(isStorageError(error, "VALIDATION"), `${JSON.stringify(bad)}: ${error}`).toBe(true);
      }
    }
  });

  it("uses a valid custom schema and table name as given", async () => {
    const database = await freshDatabase();
    const storage = await openPostgres(
      serverOptions({ url: owned.url(database), schema: "archive_2025", table: "calls" }),
    );
    opened.push(storage);
    const vcon = smallVcon();
    await storage.save(vcon);
    const { rows } = await owned.sql("select count(*)::int as n from archive_2025.calls", database);
    expect(rows[0].n).toBe(1);
  });
});

describe("least privilege", () => {
  it("a DML-only application role works with autoMigrate off; a separate role migrates", async () => {
    const suffix = randomBytes(4).toString("hex");
    const migrator = { user: `vcon_migrator_${suffix}`, password: `m-${randomBytes(9).toString("hex")}` };
    const app = { user: `vcon_app_${suffix}`, password: `a-${randomBytes(9).toString("hex")}` };
    const database = `vcon_lp_${suffix}`;
    await owned.sql(`create role ${migrator.user} login password '${migrator.password}'`);
    await owned.sql(`create role ${app.user} login password '${app.password}'`);
    await owned.sql(`create database ${database} owner ${migrator.user}`);
    await owned.sql(`revoke all on database ${database} from public`);
    await owned.sql(`grant connect on database ${database} to ${app.user}`);
    await owned.sql(`revoke create on schema public from public`, database);

    // 1. Migrations, as the role that owns the database.
    const migrating = await openPostgres(
      serverOptions({ url: owned.url(database, migrator), autoMigrate: true }),
    );
    // The adapter connects and migrates in open(): run it now rather than at a first operation.
    await migrating.open?.();
    await migrating.close();
    const migratorUrl = owned.url(database, migrator);
    const table = await findVconTable(migratorUrl);
    const schema = table.split(".")[0]!;
    await onDatabase(migratorUrl, (c) =>
      c.query(`grant usage on schema ${schema} to ${app.user};
               grant select, insert, update, delete on ${table} to ${app.user};`),
    );

    // 2. The application, with nothing but SELECT/INSERT/UPDATE/DELETE on that table.
    const storage = await openPostgres(serverOptions({ url: owned.url(database, app), autoMigrate: false }));
    opened.push(storage);
    const vcon = smallVcon();
    await storage.save(vcon);
    await storage.save({ ...vcon, subject: "updated" });
    expect((await storage.get(vcon.uuid as string))?.subject).toBe("updated");
    expect(await storage.exists(vcon.uuid as string)).toBe(true);
    expect((await storage.saveMany([smallVcon(), smallVcon()])).saved).toBe(2);
    expect((await storage.search({ tel: "+15550100001" })).items.length).toBe(3);
    let exported = 0;
    for await (const _ of storage.export()) exported++;
    expect(exported).toBe(3);
    expect(await storage.delete(vcon.uuid as string)).toBe(true);

    // The role really is that narrow: it cannot create anything.
    const denied = await caught(() =>
      onDatabase(owned.url(database, app), (c) => c.query(`create table ${schema}.intruder (x int)`)),
    );
    expect((denied as pg.DatabaseError).code).toBe("42501");
  });
});

describe("TLS options are passed through to the driver", () => {
  it("sslmode=verify-full in the URL and the ssl option both demand TLS (this server has none)", async () => {
    const database = await freshDatabase();
    const viaUrl = await firstFailure(serverOptions({ url: `${owned.url(database)}?sslmode=verify-full` }));
    const viaOption = await firstFailure(
      serverOptions({ url: owned.url(database), ssl: { rejectUnauthorized: true } }),
    );
    for (const error of [viaUrl, viaOption]) {
      expect(isStorageError(error), String(error)).toBe(true);
      expect(errorText(error)).toMatch(/SSL/);
      expect(errorText(error)).not.toContain(owned.password);
    }
    const plain = await openPostgres(serverOptions({ url: owned.url(database), ssl: false }));
    opened.push(plain);
    await plain.save(smallVcon());
  });
});
