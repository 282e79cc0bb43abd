import { type Logger, scrubSecrets } from "@vcon/storage-core";

/** Passes storage logs through, with configured secrets masked in failure messages. */
export function scrubbingLogger(base: Logger, secrets: readonly string[]): Logger {
  if (secrets.length === 0) return base;
  const clean = (object: object): object => {
    const err = (object as { err?: unknown }).err;
    if (!(err instanceof Error)) return object;
    return {
      ...object,
      err: {
        name: err.name,
        code: (err as { code?: unknown }).code,
        message: scrubSecrets(err.message, secrets),
      },
    };
  };
  return {
    debug: (object, message) => base.debug(clean(object), message),
    info: (object, message) => base.info(clean(object), message),
    warn: (object, message) => base.warn(clean(object), message),
    error: (object, message) => base.error(clean(object), message),
  };
}
