/** One figure of `npm run bench`, with the baseline it is compared against. */
export interface BenchFigure {
  /** Key in bench/results.json, e.g. `store.writes_per_s`. */
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  /** The goal as a person reads it, e.g. `≥ 50000`. */
  readonly goal?: string;
  /** Whether the figure meets its goal (undefined when there is none). */
  readonly ok?: boolean;
  /** The baseline measured in the same run, beside this figure. */
  readonly baseline?: { readonly key: string; readonly value: number };
}

/** A browser suite: `bench/suites/NAME.bench.ts` default-exports one of these. */
export type BrowserSuite = () => Promise<BenchFigure[]>;
