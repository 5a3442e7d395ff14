/**
 * Keeps the mesh's run in the document when a peer removes it (issue 13 §2: the shared document
 * is the wire, not the truth). An honest unload writes a stopped marker (`clearRun`), so the
 * only way the `run` entry disappears is a raw deletion, which no honest node makes: the last
 * run this node had is put back after a short grace (the same idea as `EntityStore`'s put-back
 * of erased log batches), unless a value has arrived meanwhile. Every honest node does this;
 * concurrent put-backs of the same value merge into one entry.
 */
import type * as Y from 'yjs';
import { RUN_MAP } from './RunConfig.js';

export interface RunKeeperOptions {
  /** How long after a removal the run is put back, ms. Default 10,000 (as the entity log's). */
  readonly putBackAfterMs?: number;
  /** Hears each put-back, in words. */
  readonly onPutBack?: (message: string) => void;
}

export const DEFAULT_RUN_PUT_BACK_MS = 10_000;

export class RunKeeper {
  private readonly map: Y.Map<unknown>;
  private readonly putBackAfterMs: number;
  private readonly onPutBack: (message: string) => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;
  /** Runs put back since this keeper started. */
  restored = 0;

  constructor(
    readonly doc: Y.Doc,
    options: RunKeeperOptions = {},
  ) {
    this.map = doc.getMap<unknown>(RUN_MAP);
    this.putBackAfterMs = options.putBackAfterMs ?? DEFAULT_RUN_PUT_BACK_MS;
    this.onPutBack = options.onPutBack ?? ((message) => console.warn(message));
    this.map.observe(this.onChange);
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
    if (change.action !== 'delete' || change.oldValue === undefined) return;
    const last: unknown = change.oldValue;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.destroyed || this.map.has('run')) return;
      this.doc.transact(() => this.map.set('run', last), this);
      this.restored++;
      this.onPutBack('A peer removed the mesh\'s pipeline run from the shared document; it was put back (end a run with "End run" instead).');
    }, this.putBackAfterMs);
  };
}
