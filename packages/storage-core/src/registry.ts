import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { StorageAdapter } from "./adapter.js";
import { InternalError, ValidationError } from "./errors.js";
import { schemaIssues } from "./issues.js";
import { type Logger, silentLogger } from "./logger.js";
import { importFrom, type ResolveFrom } from "./package-import.js";
import { fromAdapter, type StorageOptions, type VconStorage } from "./storage.js";

/** What an adapter's `create` receives besides its options. */
export interface AdapterContext {
  /** The storage's configuration name, e.g. "primary". */
  name: string;
  logger: Logger;
}

/**
 * An adapter package's entry point: its configuration name, the schema of its options (zod, valibot
 * or any Standard Schema) and a factory. Export it as `adapter` from the package root.
 */
export interface AdapterDefinition<TOptions = unknown> {
  readonly name: string;
  readonly description?: string;
  readonly options: StandardSchemaV1<unknown, TOptions>;
  create(options: TOptions, context: AdapterContext): StorageAdapter | Promise<StorageAdapter>;
  /**
   * Brings the backend's schema up to date, for deployments that migrate in a separate step (with a
   * role that has DDL rights) and run the service with `autoMigrate` off. Omit it when the backend has
   * no schema.
   */
  migrate?(options: TOptions, context: AdapterContext): Promise<MigrationReport>;
}

/** What `AdapterDefinition.migrate` did. */
export interface MigrationReport {
  /** Names of the migrations applied by this call, in order; empty when already up to date. */
  applied: readonly string[];
}

/** Typed identity: gives an adapter definition its option types. */
export function defineAdapter<TOptions>(
  definition: AdapterDefinition<TOptions>,
): AdapterDefinition<TOptions> {
  return definition;
}

/** How a storage is described in configuration. */
export interface StorageConfig extends Omit<StorageOptions, "name"> {
  /**
   * A registered adapter name ("postgres", "memory", ...) or the package that exports `adapter`. The
   * key users write in configuration, so it keeps this name; the storage made reports it as `adapterName`.
   */
  adapter: string;
  options?: unknown;
  /** The storage's name in logs and errors. */
  name?: string;
}

/** The adapters this project publishes, found by name when their package is installed. */
export const BUILTIN_ADAPTERS: Readonly<Record<string, string>> = Object.freeze({
  memory: "@vcon/storage-memory",
  postgres: "@vcon/storage-postgres",
  file: "@vcon/storage-file",
  redis: "@vcon/storage-redis",
  mysql: "@vcon/storage-mysql",
  sqlite: "@vcon/storage-sqlite",
});

export interface RegistryOptions {
  /**
   * Where adapter packages are resolved from: a directory, or a module's `import.meta.url` (resolve
   * from that package, wherever it is installed). The working directory by default.
   */
  resolveFrom?: ResolveFrom;
}

/** Maps configuration names to adapter definitions. */
export class AdapterRegistry {
  #definitions = new Map<string, AdapterDefinition<never>>();
  #resolveFrom: ResolveFrom;

  constructor(options: RegistryOptions = {}) {
    this.#resolveFrom = options.resolveFrom ?? process.cwd();
  }

  /** Registers an adapter under its name. A second registration of the same name replaces the first. */
  register<T>(definition: AdapterDefinition<T>): this {
    if (!definition || typeof definition.name !== "string" || typeof definition.create !== "function") {
      throw new ValidationError("Not an adapter definition", [
        { path: "definition", message: "expected { name, options, create }" },
      ]);
    }
    this.#definitions.set(definition.name, definition as AdapterDefinition<never>);
    return this;
  }

  /** Every name this registry can create: registered ones and installed-or-not built-ins. */
  names(): string[] {
    return [...new Set([...this.#definitions.keys(), ...Object.keys(BUILTIN_ADAPTERS)])].sort();
  }

  /** Finds the definition for a name, importing its package when it is not registered yet. */
  async resolve(name: string): Promise<AdapterDefinition<unknown>> {
    if (typeof name !== "string" || name.length === 0) {
      throw new ValidationError("No adapter named", [
        { path: "adapter", message: `expected one of: ${this.names().join(", ")}` },
      ]);
    }
    const registered = this.#definitions.get(name);
    if (registered) return registered as AdapterDefinition<unknown>;
    const specifier = BUILTIN_ADAPTERS[name] ?? (looksLikePackage(name) ? name : undefined);
    if (specifier === undefined) {
      throw new ValidationError(`Unknown adapter "${name}"`, [
        { path: "adapter", message: `known adapters: ${this.names().join(", ")}; or give a package name` },
      ]);
    }
    const definition = await this.#load(name, specifier);
    this.register(definition);
    // Registered under the configured word too, so a package name is imported once.
    if (definition.name !== name) this.#definitions.set(name, definition as AdapterDefinition<never>);
    return definition;
  }

  /** Resolves the adapter, validates its options and returns a ready storage. */
  async create(config: StorageConfig): Promise<VconStorage> {
    if (typeof config !== "object" || config === null) {
      throw new ValidationError("Invalid storage configuration", [
        { path: "$", message: "expected an object" },
      ]);
    }
    const definition = await this.resolve(config.adapter);
    const options = await parseOptions(definition, config.options ?? {});
    const name = config.name ?? definition.name;
    const logger = config.logger ?? silentLogger;
    const adapter = await definition.create(options, { name, logger });
    return fromAdapter(adapter, { ...config, name, logger });
  }

  async #load(name: string, specifier: string): Promise<AdapterDefinition<unknown>> {
    let module: Record<string, unknown>;
    try {
      module = await importFrom(specifier, this.#resolveFrom);
    } catch (error) {
      const notFound = (error as { code?: string }).code === "MODULE_NOT_FOUND";
      if (!notFound)
        throw new InternalError(`Loading adapter "${name}" from ${specifier} failed`, { cause: error });
      throw new ValidationError(`Adapter "${name}" is not installed`, [
        { path: "adapter", message: `install ${specifier} (e.g. pnpm add ${specifier}) or register it` },
      ]);
    }
    const definition = (module.adapter ?? module.default) as AdapterDefinition<unknown> | undefined;
    if (!definition || typeof definition.create !== "function") {
      throw new ValidationError(`Package ${specifier} is not a vCon storage adapter`, [
        { path: "adapter", message: "its root must export `adapter`, made with defineAdapter()" },
      ]);
    }
    return definition;
  }
}

/** Validates options with the adapter's own schema; every problem names its field. */
export async function parseOptions<T>(definition: AdapterDefinition<T>, options: unknown): Promise<T> {
  return valueOrThrow(definition.name, await definition.options["~standard"].validate(options));
}

/**
 * The same check for code that cannot await, such as an adapter's constructor. Zod, Valibot and
 * ArkType validate synchronously; a schema that does not is a programming error, not bad input.
 */
export function parseOptionsSync<T>(
  definition: Pick<AdapterDefinition<T>, "name" | "options">,
  options: unknown,
): T {
  const outcome = definition.options["~standard"].validate(options);
  if (outcome instanceof Promise) {
    throw new TypeError(
      `The options schema of adapter "${definition.name}" is asynchronous: use parseOptions`,
    );
  }
  return valueOrThrow(definition.name, outcome);
}

function valueOrThrow<T>(adapterName: string, outcome: StandardSchemaV1.Result<T>): T {
  if (outcome.issues) {
    throw new ValidationError(
      `Invalid options for adapter "${adapterName}"`,
      schemaIssues(outcome.issues, "options"),
    );
  }
  return outcome.value;
}

function looksLikePackage(name: string): boolean {
  return /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) && (name.startsWith("@") || name.includes("-"));
}

/** The registry `createStorage` and `registerAdapter` use. */
export const defaultRegistry = new AdapterRegistry();

export function registerAdapter<T>(definition: AdapterDefinition<T>): void {
  defaultRegistry.register(definition);
}

/** `createStorage({ adapter: "postgres", options })`: the adapter picked by its configuration name. */
export function createStorage(config: StorageConfig): Promise<VconStorage> {
  return defaultRegistry.create(config);
}
