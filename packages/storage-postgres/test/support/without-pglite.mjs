// A resolve hook that makes @electric-sql/pglite look uninstalled, as in a server-only deployment.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "@electric-sql/pglite" || specifier.startsWith("@electric-sql/pglite/")) {
    const error = new Error("Cannot find package '" + specifier + "'");
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}`)}`,
);
