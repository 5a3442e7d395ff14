// Runs one browser suite named by ?suite= and hands its figures to the harness.
import type { BenchFigure, BrowserSuite } from './types.js';

declare global {
  interface Window {
    __benchResult?: { figures?: BenchFigure[]; error?: string };
  }
}

const suites = import.meta.glob<{ default: BrowserSuite }>('./suites/*.bench.ts');
const name = new URLSearchParams(location.search).get('suite');
const status = document.getElementById('status')!;

async function main(): Promise<void> {
  const load = suites[`./suites/${name}.bench.ts`];
  if (!load) throw new Error(`No browser suite "${name}".`);
  const figures = await (await load()).default();
  window.__benchResult = { figures };
  status.textContent = 'done';
}

main().catch((error: unknown) => {
  window.__benchResult = { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
  status.textContent = 'failed';
});
