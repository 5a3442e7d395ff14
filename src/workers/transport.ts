/**
 * The worker boundary as a transport: one small interface, a real implementation over
 * `postMessage` on each side, and an in-memory twin for tests that behaves the same way
 * (asynchronous delivery, structured cloning, a crash that the other side hears about).
 */

export interface PipelinePort {
  /** Sends a message; never blocks, never waits for the other side. */
  post(message: unknown): void;
  /** Subscribes to messages; returns the function that unsubscribes. */
  onMessage(handler: (data: unknown) => void): () => void;
  /** Subscribes to the other side failing (an uncaught error, a message that cannot be read). */
  onCrash(handler: (message: string) => void): () => void;
  /** Ends the link and, on the host side, the worker with it. */
  close(): void;
}

class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(handler: (value: T) => void): () => void {
    this.set.add(handler);
    return () => this.set.delete(handler);
  }
  emit(value: T): void {
    for (const handler of [...this.set]) handler(value);
  }
  clear(): void {
    this.set.clear();
  }
}

/** Host side of a real module worker. */
export class WorkerPort implements PipelinePort {
  private readonly messages = new Listeners<unknown>();
  private readonly crashes = new Listeners<string>();
  private closed = false;

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (e: MessageEvent) => this.messages.emit(e.data));
    worker.addEventListener('messageerror', () => this.crashes.emit('A message from the pipeline worker could not be read.'));
    worker.addEventListener('error', (e: ErrorEvent) => {
      // Handled here: reported by the host, not left to the console as an uncaught error.
      e.preventDefault();
      this.crashes.emit(e.message || 'The pipeline worker failed to load or crashed.');
    });
  }

  post(message: unknown): void {
    if (!this.closed) this.worker.postMessage(message);
  }

  onMessage(handler: (data: unknown) => void): () => void {
    return this.messages.add(handler);
  }

  onCrash(handler: (message: string) => void): () => void {
    return this.crashes.add(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    this.messages.clear();
    this.crashes.clear();
  }
}

/** Worker side: the worker's global scope. */
export class SelfPort implements PipelinePort {
  private readonly messages = new Listeners<unknown>();

  constructor(private readonly scope: DedicatedWorkerGlobalScope) {
    scope.addEventListener('message', (e: MessageEvent) => this.messages.emit(e.data));
  }

  post(message: unknown): void {
    this.scope.postMessage(message);
  }

  onMessage(handler: (data: unknown) => void): () => void {
    return this.messages.add(handler);
  }

  onCrash(): () => void {
    // The host never "crashes" from the worker's point of view: it terminates the worker.
    return () => undefined;
  }

  close(): void {
    this.scope.close();
  }
}

/**
 * Two connected in-memory ports: `host` and `worker`. Delivery is asynchronous and cloned like
 * `postMessage`; `crash(message)` on the worker side is what an uncaught worker error looks like
 * to the host, and after it (or `close`) nothing more is delivered either way.
 */
export function memoryPorts(): { host: PipelinePort; worker: PipelinePort & { crash(message: string): void } } {
  const toHost = new Listeners<unknown>();
  const toWorker = new Listeners<unknown>();
  const crashes = new Listeners<string>();
  let open = true;
  const deliver = (target: Listeners<unknown>, message: unknown): void => {
    if (!open) return;
    const copy = structuredClone(message);
    queueMicrotask(() => {
      if (open) target.emit(copy);
    });
  };
  const close = (): void => {
    open = false;
  };
  return {
    host: {
      post: (m) => deliver(toWorker, m),
      onMessage: (h) => toHost.add(h),
      onCrash: (h) => crashes.add(h),
      close,
    },
    worker: {
      post: (m) => deliver(toHost, m),
      onMessage: (h) => toWorker.add(h),
      onCrash: () => () => undefined,
      close,
      crash(message: string) {
        if (!open) return;
        open = false;
        queueMicrotask(() => crashes.emit(message));
      },
    },
  };
}
