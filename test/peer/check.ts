/** Tiny assertions that work in any runner (mocha in the browser, Playwright in Node). */

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

export function checkEqual<T>(actual: T, expected: T, message: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`check failed: ${message}\n  expected ${e}\n  actual   ${a}`);
}

/**
 * Polls `probe` until it returns true; throws with `what` and the last observation after
 * `timeoutMs`. Every wait in the tests is one of these: a condition with a bound, never a sleep.
 */
export async function waitUntil(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000, describe?: () => Promise<string> | string): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) {
      const detail = describe ? `\n  last seen: ${await describe()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
