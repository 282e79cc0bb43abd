import type { OperationEvent } from "@vcon/storage-core";
import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Seconds: from a cache hit to a slow batch. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The route label of requests no route matched: one label, so scanners cannot blow up the series count. */
const UNMATCHED_ROUTE = "(unmatched)";

/**
 * The service's Prometheus metrics, on a registry of its own (so several servers in one process,
 * as in tests, do not collide). Others add theirs to `registry` (e.g. replication gauges).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "vcon_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "vcon_http_request_duration_seconds",
    help: "HTTP request latency, from the first byte to the last byte of the answer",
    labelNames: ["route", "method", "status"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly storageOperations = new Counter({
    name: "vcon_storage_operations_total",
    help: "Storage operations, by storage, operation and outcome (ok or the error code)",
    labelNames: ["storage", "operation", "outcome"] as const,
    registers: [this.registry],
  });
  readonly storageDuration = new Histogram({
    name: "vcon_storage_operation_duration_seconds",
    help: "Storage operation latency, by storage, operation and outcome",
    labelNames: ["storage", "operation", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "vcon_" });
  }

  /** Core's `onOperation` hook: one observation per finished storage call. */
  readonly onOperation = (event: OperationEvent): void => {
    const labels = {
      storage: event.storage,
      operation: event.operation,
      outcome: event.ok ? "ok" : (event.code ?? "INTERNAL"),
    };
    this.storageOperations.inc(labels);
    this.storageDuration.observe(labels, event.durationMs / 1000);
  };

  observeRequest(route: string | undefined, method: string, status: number, durationMs: number): void {
    const labels = { route: route ?? UNMATCHED_ROUTE, method, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, durationMs / 1000);
  }
}

/** Observes every answered request and serves `GET /metrics` (protected like the API: the `read` scope). */
export async function metricsRoutes(app: FastifyInstance, { metrics }: { metrics: ServiceMetrics }) {
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

export function observeRequests(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook("onResponse", async (request, reply) => {
    metrics.observeRequest(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime);
  });
}
