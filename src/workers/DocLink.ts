/**
 * Keeps two replicas of one Y.Doc in sync across a `PipelinePort`: each side sends its whole
 * state when the link opens, then every local update as it happens. Yjs updates are idempotent
 * and commutative, so a restart that resends everything loses and duplicates nothing.
 */
import * as Y from 'yjs';
import type { PipelinePort } from './transport.js';

export class DocLink {
  private readonly unsubscribe: () => void;
  private closed = false;

  /**
   * The owner reads the port's messages and passes updates to `receive`.
   * @param onProblem hears about an update that Yjs refused (it is dropped, the doc unchanged).
   */
  constructor(
    readonly doc: Y.Doc,
    private readonly port: PipelinePort,
    private readonly onProblem: (message: string) => void,
  ) {
    doc.on('update', this.onUpdate);
    this.unsubscribe = () => doc.off('update', this.onUpdate);
    port.post({ type: 'update', update: Y.encodeStateAsUpdate(doc) });
  }

  /** Applies an update that arrived from the other side. */
  receive(update: Uint8Array): void {
    if (this.closed) return;
    try {
      Y.applyUpdate(this.doc, update, this);
    } catch (error) {
      this.onProblem(`An update from the other side of the worker link was refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.closed) return;
    this.port.post({ type: 'update', update });
  };
}
