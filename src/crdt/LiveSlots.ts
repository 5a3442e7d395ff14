/**
 * The writes of one batch that still matter: what garbage collection of the log counts on.
 *
 * Every write of a tick makes one slot live and kills the one it replaces, so this is the
 * index's hottest bookkeeping. A slot records the set it is live in, which makes adding and
 * killing a field write and a counter step instead of two hash-set operations; dead slots are
 * dropped from the list lazily, once they outnumber the live ones.
 */
export interface LiveMember {
  /** The set this slot is live in, if any. */
  liveIn: LiveSlots<LiveMember> | undefined;
}

export class LiveSlots<T extends LiveMember> implements Iterable<T> {
  /** Live slots, and dead ones not dropped yet (their `liveIn` is no longer this set). */
  private slots: T[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Makes `slot` live here. A slot is added once (killed slots never come back; a moved one goes to a new set). */
  add(slot: T): void {
    if (slot.liveIn === this) return;
    if (this.slots.length >= 2 * this.count + 16) this.slots = this.slots.filter((s) => s.liveIn === this);
    slot.liveIn = this;
    this.slots.push(slot);
    this.count++;
  }

  delete(slot: T): void {
    if (slot.liveIn !== this) return;
    slot.liveIn = undefined;
    this.count--;
  }

  /** Forgets every slot (those moved to another set stay live there). */
  clear(): void {
    for (const slot of this.slots) if (slot.liveIn === this) slot.liveIn = undefined;
    this.slots = [];
    this.count = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    // By index over a list only `add` replaces: safe while slots are deleted or moved away.
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i]!.liveIn === this) yield slots[i]!;
  }
}
