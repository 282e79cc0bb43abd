import cliProgress from "cli-progress";
import { rate } from "./output.js";

/** Without a terminal, a line every this many documents. */
export const PROGRESS_LINE_EVERY = 1000;

export interface ProgressOptions {
  /** Bytes the whole job will read, when known ahead: enables the bar, percentage and ETA. */
  totalBytes?: number;
  stream?: NodeJS.WriteStream;
}

/**
 * Counts documents for a long-running command: a live bar on a terminal (documents done, failures
 * apart, and with a known size the percentage and ETA), periodic lines otherwise (logs and pipes
 * stay readable). Always on stderr, so stdout carries only data.
 */
export class Progress {
  readonly #verb: string;
  readonly #started = performance.now();
  readonly #bar: cliProgress.SingleBar | null;
  readonly #stream: NodeJS.WriteStream;
  readonly #totalBytes: number | undefined;
  #done = 0;
  #failed = 0;
  #bytes = 0;
  #nextLine = PROGRESS_LINE_EVERY;

  constructor(verb: string, options: ProgressOptions = {}) {
    this.#verb = verb;
    this.#stream = options.stream ?? process.stderr;
    this.#totalBytes = options.totalBytes;
    const counts = `${verb} {done} vCons | failed {failed} | {speed}/s`;
    const known = this.#totalBytes !== undefined && this.#totalBytes > 0;
    this.#bar = this.#stream.isTTY
      ? new cliProgress.SingleBar(
          {
            stream: this.#stream,
            format: known ? `{bar} {percentage}% | ${counts} | ETA {eta_formatted}` : counts,
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.#bar?.start(known ? this.#totalBytes! : 1, 0, { done: 0, failed: 0, speed: "0" });
  }

  get done(): number {
    return this.#done;
  }

  get failed(): number {
    return this.#failed;
  }

  /** Records documents done and failed, and the source bytes they took up. */
  add(done: number, failed = 0, bytes = 0): void {
    this.#done += done;
    this.#failed += failed;
    this.#bytes += bytes;
    if (this.#bar) {
      this.#bar.update(this.#totalBytes ? Math.min(this.#bytes, this.#totalBytes) : 0, {
        done: this.#done,
        failed: this.#failed,
        speed: rate(this.#done, this.#started),
      });
    } else if (this.#done + this.#failed >= this.#nextLine) {
      this.#nextLine += PROGRESS_LINE_EVERY;
      const share = this.#totalBytes ? ` (${Math.floor((100 * this.#bytes) / this.#totalBytes)}%)` : "";
      this.#stream.write(`${this.#verb} ${this.#done}, failed ${this.#failed}${share}\n`);
    }
  }

  /** Stops the bar and prints the summary: `imported N, failed M, X/s`, then any extra lines. */
  finish(extra: readonly string[] = []): string {
    this.#bar?.stop();
    const summary = `${this.#verb} ${this.#done}, failed ${this.#failed}, ${rate(this.#done, this.#started)}/s`;
    this.#stream.write(`${[summary, ...extra].join("\n")}\n`);
    return summary;
  }
}
