/**
 * The worker side of the pipeline: its own replica of the node's document, linked to the main
 * thread, an entity store over it and the pipeline ticking on a timer. Runs inside the module
 * worker (`pipeline.worker.ts`) and, over the in-memory transport, inside tests.
 *
 * Failure policy: an error in a tick is reported to the host with its stack and the worker stops
 * ticking; the host restarts it. Nothing is lost: every write was already sent to the host as a
 * Yjs update when it was made, and a new worker continues from the document.
 */
import * as Y from 'yjs';
import { EntityStore, pipelineNodeId } from '../crdt/index.js';
import { DocLink } from './DocLink.js';
import { Pipeline } from './Pipeline.js';
import { isHostMessage, type FaultKind, type WorkerMessage } from './protocol.js';
import type { PipelinePort } from './transport.js';

export interface PipelineWorkerHandle {
  readonly doc: Y.Doc;
  destroy(): void;
}

export function runPipelineWorker(port: PipelinePort): PipelineWorkerHandle {
  const doc = new Y.Doc();
  const send = (message: WorkerMessage): void => port.post(message);
  const report = (error: unknown): void => {
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'error', message: e.message, stack: e.stack });
  };
  const link = new DocLink(doc, port, (message) => send({ type: 'error', message, stack: undefined }));
  let store: EntityStore | undefined;
  let pipeline: Pipeline | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let drill: FaultKind | undefined;

  const tick = (): void => {
    if (!pipeline) return;
    try {
      if (drill === 'tick') {
        drill = undefined;
        throw new Error('Fault drill: a pipeline step failed on purpose.');
      }
      send({ type: 'status', status: pipeline.tick() });
    } catch (error) {
      clearInterval(timer);
      timer = undefined;
      report(error);
    }
  };

  const unsubscribe = port.onMessage((data) => {
    if (!isHostMessage(data)) {
      send({ type: 'error', message: 'The pipeline worker received a message it does not understand; it was ignored.', stack: undefined });
      return;
    }
    switch (data.type) {
      case 'update':
        link.receive(data.update);
        return;
      case 'init':
        if (pipeline) return;
        // The worker writes with its own HLC node id, so its stamps never tie with the page's.
        store = new EntityStore(doc, { node: pipelineNodeId(data.node) });
        // Same clock as the page's: when the page is fenced, so is the worker.
        store.setClockFence(data.clockFenceMs ?? undefined);
        pipeline = new Pipeline(store, { holder: data.node, leaseTtlMs: data.leaseTtlMs, setAsideRuns: data.setAsideRuns });
        pipeline.mayCompute = data.mayCompute;
        pipeline.vacantHolders = new Set(data.vacantHolders);
        timer = setInterval(tick, data.tickMs);
        send({ type: 'ready' });
        tick();
        return;
      case 'fence':
        store?.setClockFence(data.clockFenceMs ?? undefined);
        return;
      case 'authority':
        if (pipeline) {
          pipeline.mayCompute = data.mayCompute;
          pipeline.vacantHolders = new Set(data.vacantHolders);
        }
        return;
      case 'fault':
        if (data.kind === 'tick') drill = 'tick';
        else if (data.kind === 'throw') {
          setTimeout(() => {
            throw new Error('Fault drill: an uncaught error in the pipeline worker.');
          });
        } else {
          // Blocks this thread for good: only the host's watchdog can end it.
          for (;;) Date.now();
        }
        return;
    }
  });

  return {
    doc,
    destroy() {
      clearInterval(timer);
      unsubscribe();
      link.close();
      pipeline?.destroy();
      store?.destroy();
    },
  };
}
