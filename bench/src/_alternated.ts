/**
 * Times several engines over one corpus in alternated rounds (A, B, A, B, …),
 * so that load from other processes on a shared machine falls on every engine
 * alike instead of on whichever ran during a busy minute.
 */
export type Engine<Page, Result> = (page: Page) => Promise<Result> | Result;

export interface EngineTiming<Result> {
  /** Milliseconds of each timed pass, in round order. */
  passMs: number[];
  bestMs: number;
  /** The last pass's result per page. */
  results: Result[];
}

export async function timeAlternated<Page, Result>(
  corpus: Page[],
  engines: Engine<Page, Result>[],
  rounds: number,
): Promise<EngineTiming<Result>[]> {
  const timings: EngineTiming<Result>[] = engines.map(() => ({ passMs: [], bestMs: Infinity, results: [] }));
  // One untimed pass each first: JIT warm-up and lazily loaded modules.
  for (const engine of engines) for (const page of corpus) await engine(page);
  for (let round = 0; round < rounds; round++) {
    for (const [i, engine] of engines.entries()) {
      const results: Result[] = [];
      const started = performance.now();
      for (const page of corpus) results.push(await engine(page));
      const ms = performance.now() - started;
      const timing = timings[i]!;
      timing.passMs.push(ms);
      timing.bestMs = Math.min(timing.bestMs, ms);
      timing.results = results;
    }
  }
  return timings;
}

/** The median of the per-round ratios `slower[r] / faster[r]`: each round's two passes ran back to back. */
export function medianRoundRatio(faster: EngineTiming<unknown>, slower: EngineTiming<unknown>): number {
  const ratios = faster.passMs.map((ms, round) => slower.passMs[round]! / ms).sort((a, b) => a - b);
  const middle = Math.floor(ratios.length / 2);
  return ratios.length % 2 === 1 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2;
}
