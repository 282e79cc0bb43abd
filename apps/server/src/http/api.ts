import type { FastifyInstance } from "fastify";
import type { StorageSet } from "../storages/storage-set.js";
import { conserverRoutes } from "./conserver-routes.js";
import type { CorsSettings } from "./cors-settings.js";
import { installJsonBodyParser } from "./json-body.js";
import { installApiDocs } from "./openapi/install.js";
import { installTransport } from "./transport.js";
import { vconRoutes } from "./vcon-routes.js";

export interface ApiOptions {
  storages: StorageSet;
  maxBatch: number;
  cors: CorsSettings;
  version: string;
}

/**
 * The vCon API on an app: JSON bodies kept as sent, compression and CORS, the OpenAPI document and
 * `/docs`, the API's routes and conserver's. Call before other routes are registered, so compression
 * and the document cover them too.
 */
export async function installVconApi(app: FastifyInstance, options: ApiOptions): Promise<void> {
  installJsonBodyParser(app);
  await installTransport(app, { cors: options.cors });
  await installApiDocs(app, {
    title: "vCon storage server",
    version: options.version,
    description:
      `Saves, reads, searches and deletes vCons across the configured storages (${options.storages.names.join(", ")}). ` +
      "Also serves vcon-server's (conserver's) routes, so its clients work unchanged.",
  });
  await app.register(vconRoutes, { storages: options.storages, maxBatch: options.maxBatch });
  await app.register(conserverRoutes, { storages: options.storages });
}
