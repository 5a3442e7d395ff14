/**
 * Entities the pipeline set aside: processing one threw, so it is skipped from then on and
 * reported, and the rest of the picture goes on being computed (issue 13 §3: one bad input
 * affects only itself). Without this, an entity that a peer wrote and the page admits, but that
 * a pipeline step cannot handle, stopped the pipeline on every node at every restart.
 */

/** The pipeline's stages that read entities a peer may have written. */
export type PipelineStage = 'fusion' | 'tasking' | 'intercept';

/** One input the pipeline skips in one stage, and why (the error it raised). */
export interface SetAsideEntity {
  readonly id: string;
  readonly stage: PipelineStage;
  readonly reason: string;
}

/** Reported at most this many (the set itself is bounded by the document's entities). */
export const MAX_REPORTED_SET_ASIDE = 20;

export class SetAside {
  /** By stage and id: an entity tasking cannot handle is still fused. */
  private readonly entities = new Map<string, SetAsideEntity>();
  private readonly log: (message: string) => void;

  constructor(log: (message: string) => void = (message) => console.warn(message)) {
    this.log = log;
  }

  has(stage: PipelineStage, id: string): boolean {
    return this.entities.has(`${stage} ${id}`);
  }

  /**
   * Runs `fn` for entity `id` in `stage` unless it was set aside there; if `fn` throws, sets it
   * aside with the error and reports it. Returns whether `fn` completed.
   */
  attempt(stage: PipelineStage, id: string, fn: () => void): boolean {
    const key = `${stage} ${id}`;
    if (this.entities.has(key)) return false;
    try {
      fn();
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.entities.set(key, { id, stage, reason });
      this.log(`The pipeline set entity "${id}" aside (${stage}): ${reason} It is skipped from now on.`);
      return false;
    }
  }

  /** The first entities set aside, oldest first. */
  list(): SetAsideEntity[] {
    const out: SetAsideEntity[] = [];
    for (const entry of this.entities.values()) {
      if (out.length >= MAX_REPORTED_SET_ASIDE) break;
      out.push(entry);
    }
    return out;
  }

  get size(): number {
    return this.entities.size;
  }

  /** A new run starts from scratch: what failed in the old one may work in it. */
  clear(): void {
    this.entities.clear();
  }
}
