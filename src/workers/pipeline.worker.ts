/// <reference lib="webworker" />
/**
 * Entry of the pipeline's module worker. Anything that escapes the pipeline's own error
 * handling (an unhandled rejection) is reported to the host, which restarts the worker;
 * uncaught errors reach the host as the Worker's `error` event.
 */
import { runPipelineWorker } from './PipelineWorker.js';
import { SelfPort } from './transport.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const port = new SelfPort(scope);
scope.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  const reason: unknown = event.reason;
  port.post({ type: 'error', message: reason instanceof Error ? reason.message : String(reason), stack: reason instanceof Error ? reason.stack : undefined });
});
runPipelineWorker(port);
