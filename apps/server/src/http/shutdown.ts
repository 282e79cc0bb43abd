import type { FastifyInstance } from "fastify";
import { sendError } from "./errors.js";

/**
 * Graceful shutdown: stop accepting, let requests in flight finish for up to `timeoutMs`, then abort
 * the rest (their sockets are destroyed) and close. New requests on kept-alive connections meanwhile
 * get 503 UNAVAILABLE with `connection: close`.
 */
export class GracefulShutdown {
  readonly #app: FastifyInstance;
  readonly #timeoutMs: number;
  #inFlight = 0;
  #closing: Promise<void> | null = null;

  constructor(app: FastifyInstance, timeoutMs: number) {
    this.#app = app;
    this.#timeoutMs = timeoutMs;
    app.addHook("onRequest", async (_request, reply) => {
      if (this.#closing) {
        reply.header("connection", "close");
        return sendError(reply, 503, {
          error: { code: "UNAVAILABLE", message: "The service is shutting down" },
        });
      }
      this.#inFlight++;
      // `close` fires for answered and for aborted requests alike.
      reply.raw.once("close", () => this.#inFlight--);
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get closing(): boolean {
    return this.#closing !== null;
  }

  /** Runs once; later calls wait for the same shutdown. */
  close(reason = "close"): Promise<void> {
    this.#closing ??= this.#run(reason);
    return this.#closing;
  }

  async #run(reason: string): Promise<void> {
    const log = this.#app.log;
    const started = performance.now();
    log.info({ reason, inFlight: this.#inFlight, timeoutMs: this.#timeoutMs }, "shutdown started");
    let aborted = 0;
    const deadline = setTimeout(() => {
      aborted = this.#inFlight;
      if (aborted > 0)
        log.warn({ aborted, timeoutMs: this.#timeoutMs }, "shutdown timeout: aborting requests in flight");
      this.#app.server.closeAllConnections();
    }, this.#timeoutMs);
    try {
      await this.#app.close();
    } finally {
      clearTimeout(deadline);
      log.info({ durationMs: Math.round(performance.now() - started), aborted }, "shutdown finished");
    }
  }
}
