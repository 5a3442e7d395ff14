/**
 * Keeps the mesh's run in the document when a peer removes it (issue 13 §2: the shared document
 * is the wire, not the truth). An honest unload writes a stopped marker (`clearRun`), so the
 * only way the `run` entry disappears is a raw deletion, which no honest node makes: the last
 * run this node had is put back after a short grace (the same idea as `EntityStore`'s put-back
 * of erased log batches), unless a value has arrived meanwhile. Every honest node does this;
 * concurrent put-backs of the same value merge into one entry.
 *
 * With `counts`, a run value that does not count (in an owned room, one signed under a key the
 * owner had revoked: `peer/trust/LeaseVacancy.ts` says the same of leases) is replaced by the
 * last run that did, as soon as it arrives: a revoked member cannot replace the mesh's run.
 */
import type * as Y from 'yjs';
import { RUN_MAP } from './RunConfig.js';

export interface RunKeeperOptions {
  /** How long after a removal the run is put back, ms. Default 10,000 (as the entity log's). */
  readonly putBackAfterMs?: number;
  /** Hears each put-back, in words. */
  readonly onPutBack?: (message: string) => void;
  /** Whether a run value counts (default: every value does). */
  readonly counts?: (value: unknown) => boolean;
}

export const DEFAULT_RUN_PUT_BACK_MS = 10_000;
/** Run values remembered as counted. */
const KEPT_RUNS = 8;

export class RunKeeper {
  private readonly map: Y.Map<unknown>;
  private readonly putBackAfterMs: number;
  private readonly onPutBack: (message: string) => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;
  private readonly counts: (value: unknown) => boolean;
  /** The run values that counted when they came, newest last (a few: a revocation may undo the newest). */
  private readonly counted: unknown[] = [];
  /** Runs put back since this keeper started. */
  restored = 0;

  constructor(
    readonly doc: Y.Doc,
    options: RunKeeperOptions = {},
  ) {
    this.map = doc.getMap<unknown>(RUN_MAP);
    this.putBackAfterMs = options.putBackAfterMs ?? DEFAULT_RUN_PUT_BACK_MS;
    this.onPutBack = options.onPutBack ?? ((message) => console.warn(message));
    this.counts = options.counts ?? (() => true);
    const current = this.map.get('run');
    if (current !== undefined && this.counts(current)) this.counted.push(current);
    this.map.observe(this.onChange);
  }

  /**
   * Judges the current run again (after `counts` changed: a revocation arrived) and replaces it
   * with the last that counted if it no longer does.
   */
  recheck(): void {
    const current = this.map.get('run');
    if (current === undefined || this.counts(current)) return;
    this.replaceUncounted(current);
  }

  /** Whether a removal is waiting to be put back. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.timer);
    this.map.unobserve(this.onChange);
  }

  private readonly onChange = (event: Y.YMapEvent<unknown>): void => {
    const change = event.changes.keys.get('run');
    if (!change) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (change.action !== 'delete') {
      const value = this.map.get('run');
      if (this.counts(value)) this.remember(value);
      else this.replaceUncounted(value);
      return;
    }
    if (change.oldValue === undefined) return;
    const last: unknown = change.oldValue;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.destroyed || this.map.has('run')) return;
      this.doc.transact(() => this.map.set('run', last), this);
      this.restored++;
      this.onPutBack('A peer removed the mesh\'s pipeline run from the shared document; it was put back (end a run with "End run" instead).');
    }, this.putBackAfterMs);
  };

  private remember(value: unknown): void {
    this.counted.push(value);
    if (this.counted.length > KEPT_RUNS) this.counted.shift();
  }

  private replaceUncounted(value: unknown): void {
    // The newest run that still counts (one that counted when it came may be a revoked key's).
    const last = [...this.counted].reverse().find((v) => v !== value && this.counts(v));
    if (last === undefined) return;
    // After the transaction that brought it (an observer must not write into it).
    queueMicrotask(() => {
      if (this.destroyed || this.map.get('run') !== value) return;
      this.doc.transact(() => this.map.set('run', last), this);
      this.restored++;
      this.onPutBack('A run signed under a revoked key replaced the mesh\'s run; the run before it was put back.');
    });
  }
}
