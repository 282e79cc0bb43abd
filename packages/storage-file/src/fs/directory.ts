import { constants, type Stats } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { UnavailableError } from "@vcon/storage-core/adapter";
import { codeOf, fsError, notADirectory } from "../errors.js";

/**
 * Makes sure `directory` is a directory this process can read and write, creating it (and its parents)
 * when it is missing and `create` allows. VALIDATION when the path is (or lies below) a file,
 * UNAVAILABLE when it is missing or not usable.
 */
export async function checkDirectory(directory: string, create: boolean): Promise<void> {
  let info: Stats;
  try {
    info = await stat(directory);
  } catch (error) {
    const code = codeOf(error);
    if (code === "ENOTDIR") throw notADirectory(directory, "a part of its path is a file");
    if (code !== "ENOENT") throw fsError(error, "open the storage directory", directory);
    if (!create) {
      throw new UnavailableError(
        `File storage directory ${directory} does not exist: create it, or set createDirectory: true`,
        { retryable: false },
      );
    }
    info = await createDirectory(directory);
  }
  if (!info.isDirectory()) throw notADirectory(directory, "it is a file");
  try {
    await access(directory, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new UnavailableError(
      `File storage directory ${directory} is not readable and writable by this process (${codeOf(error)}): ` +
        "fix its owner or mode",
      { cause: error, retryable: false },
    );
  }
}

async function createDirectory(directory: string): Promise<Stats> {
  try {
    await mkdir(directory, { recursive: true });
    return await stat(directory);
  } catch (error) {
    const code = codeOf(error);
    if (code === "ENOTDIR" || code === "EEXIST")
      throw notADirectory(directory, "a part of its path is a file");
    throw fsError(error, "create the storage directory", directory);
  }
}
