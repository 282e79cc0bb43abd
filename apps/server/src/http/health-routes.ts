import type { FastifyInstance } from "fastify";
import type { StorageSet } from "../storages/storage-set.js";
import { healthResponse } from "./schemas.js";

export async function healthRoutes(
  app: FastifyInstance,
  { storages }: { storages: StorageSet },
): Promise<void> {
  app.get(
    "/health",
    {
      schema: {
        summary: "Probe every storage: 200 when all answer, 503 when any does not",
        response: { 200: healthResponse, 503: healthResponse },
      },
    },
    async (_request, reply) => {
      const report = await storages.health();
      const failing = report.filter((s) => !s.ok).length;
      const status = failing === 0 ? "ok" : failing === report.length ? "down" : "degraded";
      return reply.code(failing === 0 ? 200 : 503).send({ status, storages: report });
    },
  );
}
