import { type RunStats, type Summary, summarize } from "./measure.js";
import type { Side } from "./targets/target.js";

/** raw, adapter, adapter, raw, raw, adapter, ...: each side runs as often early as late. */
export function sideOrder(rounds: number): Side[] {
  const order: Side[] = [];
  for (let round = 0; round < rounds; round++) {
    order.push(...((round % 2 === 0 ? ["raw", "adapter"] : ["adapter", "raw"]) as Side[]));
  }
  return order;
}

/** Runs both sides `rounds` times each, alternating, and merges each side's rounds. */
export async function compareSides(
  rounds: number,
  run: (side: Side, round: number) => Promise<RunStats>,
): Promise<{ raw: Summary; adapter: Summary }> {
  const runs: Record<Side, RunStats[]> = { raw: [], adapter: [] };
  for (const [i, side] of sideOrder(rounds).entries()) {
    runs[side].push(await run(side, Math.floor(i / 2)));
  }
  return { raw: summarize(runs.raw), adapter: summarize(runs.adapter) };
}
