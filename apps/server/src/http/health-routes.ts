import type { FastifyInstance } from "fastify";
import type { StorageSet } from "../storages/storage-set.js";
import { healthResponse } from "./schemas.js";

/** /readyz: `storages` only for authenticated callers. */
const readinessResponse = {
  type: "object",
  properties: { status: healthResponse.properties.status, storages: healthResponse.properties.storages },
  required: ["status"],
} as const;

/**
 * `/livez`: the process answers (no auth, no detail). `/readyz`: the primary answers; the
 * per-storage detail (adapters, errors) only for authenticated callers. `/health`: the detailed
 * report, protected like the API.
 */
export async function healthRoutes(
  app: FastifyInstance,
  { storages }: { storages: StorageSet },
): Promise<void> {
  const probe = async () => {
    const report = await storages.health();
    const failing = report.filter((s) => !s.ok).length;
    const status = failing === 0 ? "ok" : failing === report.length ? "down" : "degraded";
    return { code: failing === 0 ? (200 as const) : (503 as const), status, report };
  };

  app.get(
    "/health",
    {
      schema: {
        summary: "Probe every storage: 200 when all answer, 503 when any does not",
        response: { 200: healthResponse, 503: healthResponse },
      },
    },
    async (_request, reply) => {
      const { code, status, report } = await probe();
      return reply.code(code).send({ status, storages: report });
    },
  );

  app.get(
    "/livez",
    {
      config: { auth: "public" },
      schema: {
        summary: "Liveness: 200 while the process serves requests",
        response: { 200: { type: "object", properties: { status: { type: "string" } } } },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      config: { auth: "public" },
      schema: {
        summary:
          "Readiness: 200 when the primary answers (degraded: a replica does not); detail for authenticated callers",
        response: { 200: readinessResponse, 503: readinessResponse },
      },
    },
    async (request, reply) => {
      const { status, report } = await probe();
      // Ready means writes are taken: the primary answers. A replica that is down only delays its
      // copies (they wait in the replication journal), so it shows as "degraded", still 200.
      const code = report.some((s) => s.role === "primary" && s.ok) ? 200 : 503;
      return reply.code(code).send(request.authenticated ? { status, storages: report } : { status });
    },
  );
}
