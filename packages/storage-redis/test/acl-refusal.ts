import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The conformance suite's backend-failure hook on Redis: an ACL user whose key permissions leave out the
 * document keys of the refused uuids. Redis checks a script's declared keys before running it, so the
 * server itself refuses (NOPERM) every save that would write one, and nothing of that call is written;
 * every other key stays readable and writable.
 */
export class AclWriteRefusal {
  readonly user = `vcon-conformance-${randomBytes(4).toString("hex")}`;
  readonly password = randomBytes(12).toString("hex");
  readonly #refused = new Set<string>();

  /** `servers`: a default-user client per node (one, or every master of a cluster). */
  constructor(readonly servers: readonly Redis[]) {}

  /** Creates the user with access to every key; throws when the server has no ACL (Redis < 6). */
  async create(): Promise<void> {
    await this.#apply(["~*"]);
  }

  /** `url` with this user's credentials. */
  urlFor(url: string): string {
    const parsed = new URL(url);
    parsed.username = this.user;
    parsed.password = this.password;
    return parsed.toString();
  }

  async refuse(uuid: string): Promise<void> {
    this.#refused.add(uuid);
    await this.#apply(["%R~*", "~*meta:*", "~*created", ...docPatternsExcept(this.#refused)]);
  }

  async restore(): Promise<void> {
    this.#refused.clear();
    await this.#apply(["~*"]);
  }

  async remove(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.call("ACL", "DELUSER", this.user)));
  }

  async #apply(keyRules: string[]): Promise<void> {
    const rules = ["on", `>${this.password}`, "+@all", "resetkeys", ...keyRules];
    await Promise.all(this.servers.map((server) => server.call("ACL", "SETUSER", this.user, ...rules)));
  }
}

/**
 * Glob patterns matching every `...doc:<uuid>` key except those of `uuids`: one per prefix of a refused
 * uuid, `*doc:<prefix>[^<next characters>]*`, the characters escaped for Redis's glob matcher.
 */
function docPatternsExcept(uuids: ReadonlySet<string>): string[] {
  const next = new Map<string, Set<string>>();
  for (const uuid of uuids) {
    for (let i = 0; i < uuid.length; i++) {
      const prefix = uuid.slice(0, i);
      const chars = next.get(prefix) ?? new Set<string>();
      chars.add(uuid[i]!);
      next.set(prefix, chars);
    }
  }
  return [...next].map(([prefix, chars]) => {
    const excluded = [...chars].map((c) => `\\${c}`).join("");
    return `~*doc:${prefix}[^${excluded}]*`;
  });
}
