/**
 * An operator's changes to the picture from the screen (a point placed or moved, a name, an
 * affiliation), written through the store. The store checks values; the role is checked here,
 * as the scripting API does, since a store writes whatever its node asks. The last refusal is
 * kept for the host to show.
 */
import type { ReactiveControllerHost } from 'lit';
import { LatticeError } from '../../crdt/index.js';
import type { LatticeNode } from '../../peer/LatticeNode.js';
import { VIEWER_EDIT_NOTE } from '../roleText.js';

export class EntityEditController {
  /** Why the last change was refused; undefined once one is written. */
  error: string | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getNode: () => LatticeNode | undefined,
  ) {}

  /** Why this node may not change entities from the screen, or undefined when it may. */
  get blocked(): string | undefined {
    const node = this.getNode();
    return node && node.identity.role !== 'operator' ? VIEWER_EDIT_NOTE : undefined;
  }

  /** Writes a change; returns whether it was written (a refusal is kept in `error`). */
  write(write: (node: LatticeNode) => void): boolean {
    const node = this.getNode();
    if (!node) return false;
    if (this.blocked) {
      this.setError(this.blocked);
      return false;
    }
    try {
      write(node);
      this.setError(undefined);
      return true;
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.setError(error.message);
      return false;
    }
  }

  private setError(error: string | undefined): void {
    if (error === this.error) return;
    this.error = error;
    this.host.requestUpdate();
  }
}
