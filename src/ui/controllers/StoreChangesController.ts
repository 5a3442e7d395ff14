/**
 * Subscribes a component to an entity store's changes while it is connected, and hands it the
 * changed ids in coalesced batches: at most once per animation frame (`frame`) or once per
 * interval. A thousand writes in one second become a few calls, not a thousand renders.
 */
import type { ReactiveControllerHost } from 'lit';
import type { EntityEvent, EntityStore } from '../../crdt/index.js';
import { SourceFollower } from './SourceFollower.js';

export interface StoreChangeBatch {
  /** Entities created or updated since the last batch (and not deleted since). */
  readonly changed: ReadonlySet<string>;
  /** Entities deleted since the last batch. */
  readonly deleted: ReadonlySet<string>;
}

export interface StoreChangesOptions {
  /** `'frame'` (default) or a minimum interval in milliseconds between batches. */
  readonly cadence?: 'frame' | number;
  /** Called with the new store (or none) whenever the host's store changes, and on connect. */
  readonly onReset?: (store: EntityStore | undefined) => void;
}

export class StoreChangesController {
  private store: EntityStore | undefined;
  private unsubscribe: (() => void) | undefined;
  private changed = new Set<string>();
  private deleted = new Set<string>();
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = 0;

  constructor(
    host: ReactiveControllerHost,
    getStore: () => EntityStore | undefined,
    private readonly onBatch: (batch: StoreChangeBatch, store: EntityStore) => void,
    private readonly options: StoreChangesOptions = {},
  ) {
    // Follows the host's store while it is connected, also when the property is replaced.
    new SourceFollower(host, getStore, (store, _previous, leaving) => {
      if (leaving) this.detach();
      else this.attach(store);
    });
  }

  /** Delivers pending changes now instead of at the next frame or interval. */
  flush(): void {
    this.cancelTimers();
    const store = this.store;
    if (!store || (this.changed.size === 0 && this.deleted.size === 0)) return;
    const batch = { changed: this.changed, deleted: this.deleted };
    this.changed = new Set();
    this.deleted = new Set();
    this.lastFlush = performance.now();
    this.onBatch(batch, store);
  }

  private attach(store: EntityStore | undefined): void {
    this.detach();
    this.store = store;
    if (store) this.unsubscribe = store.watch(this.onEvents);
    this.options.onReset?.(store);
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.store = undefined;
    this.cancelTimers();
    this.changed.clear();
    this.deleted.clear();
  }

  private readonly onEvents = (events: readonly EntityEvent[]): void => {
    for (const e of events) {
      if (e.kind === 'deleted') {
        this.changed.delete(e.id);
        this.deleted.add(e.id);
      } else {
        this.deleted.delete(e.id);
        this.changed.add(e.id);
      }
    }
    this.schedule();
  };

  private schedule(): void {
    if (this.frame || this.timer) return;
    const cadence = this.options.cadence ?? 'frame';
    if (cadence === 'frame') {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.flush();
      });
      return;
    }
    const wait = Math.max(0, this.lastFlush + cadence - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private cancelTimers(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = undefined;
  }
}
