import cliProgress from "cli-progress";
import { rate } from "./output.js";

/** Without a terminal, a line every this many documents. */
export const PROGRESS_LINE_EVERY = 1000;

/**
 * Counts documents for a long-running command: a live bar on a terminal, periodic lines otherwise
 * (logs and pipes stay readable). Always on stderr, so stdout carries only data.
 */
export class Progress {
  readonly #verb: string;
  readonly #started = performance.now();
  readonly #bar: cliProgress.SingleBar | null;
  #done = 0;
  #failed = 0;
  #nextLine = PROGRESS_LINE_EVERY;

  constructor(verb: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#verb = verb;
    this.#bar = stream.isTTY
      ? new cliProgress.SingleBar(
          { stream, format: `${verb} {value} vCons | failed {failed} | {speed}/s`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.#bar?.start(0, 0, { failed: 0, speed: "0" });
  }

  get done(): number {
    return this.#done;
  }

  get failed(): number {
    return this.#failed;
  }

  add(done: number, failed = 0): void {
    this.#done += done;
    this.#failed += failed;
    if (this.#bar) {
      this.#bar.setTotal(this.#done + this.#failed);
      this.#bar.update(this.#done + this.#failed, {
        failed: this.#failed,
        speed: rate(this.#done, this.#started),
      });
    } else if (this.#done + this.#failed >= this.#nextLine) {
      this.#nextLine += PROGRESS_LINE_EVERY;
      process.stderr.write(`${this.#verb} ${this.#done}, failed ${this.#failed}\n`);
    }
  }

  /** Stops the bar and prints the final summary: `imported N, failed M, X/s`. */
  finish(): string {
    this.#bar?.stop();
    const summary = `${this.#verb} ${this.#done}, failed ${this.#failed}, ${rate(this.#done, this.#started)}/s`;
    process.stderr.write(`${summary}\n`);
    return summary;
  }
}
