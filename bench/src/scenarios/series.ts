/** Hands out document series, so every scenario, side and round writes uuids nobody wrote before. */
let nextSeries = 1;

export function newSeries(): number {
  return nextSeries++;
}

/** The series of the search/export dataset: fixed, so export child processes regenerate the same documents. */
export const DATASET_SERIES = 0;
