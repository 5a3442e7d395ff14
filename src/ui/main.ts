/**
 * Boot: start this tab's mesh node from the URL and its pipeline host, install
 * `window.lattice`, register the service worker, and mount the operator UI.
 */
import { createScriptingApi, registerServiceWorker, startNodeFromUrl, type LatticeNode, type MeshStatus } from '../peer/index.js';
import { PipelineHost } from '../workers/index.js';
import { createPipelineApi } from './pipelineApi.js';
import { mountApp } from './mountApp.js';

const node = await startNodeFromUrl(new URL(location.href), sessionStorage).catch((error: unknown) => {
  // No node (e.g. a page that is not a secure context has no WebCrypto for its keys): say why.
  const line = document.createElement('p');
  line.setAttribute('role', 'alert');
  line.style.cssText = 'font: 15px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 60ch;';
  line.textContent = `Lattice Mesh cannot start here: ${error instanceof Error ? error.message : String(error)}`;
  document.body.append(line);
  throw error;
});
// Every node runs the pipeline host; the lease in the document lets exactly one compute.
const pipeline = new PipelineHost({ doc: node.doc, node: node.identity.nodeId, runCounts: (value) => node.mapValueCounts(value) });
pipeline.on('fault', (fault) => console.error(`Pipeline worker failed and restarts in ${fault.restartInMs} ms: ${fault.message}`));
// The worker shares this page's clock: fenced with it (issue 13 §1), lifted with it.
// A viewer or a guest of an owned room computes nothing (its writes would be refused), and a
// lease held under a revoked key counts as vacant.
const followFence = (): void => {
  pipeline.setClockFence(node.store.clockFence);
  pipeline.setMayCompute(node.identity.role !== 'viewer');
  pipeline.setVacantLeaseHolders(node.vacantLeaseHolders());
};
followFence();
node.on('status', followFence);
void node.whenReady.then(() => pipeline.start());
window.lattice = Object.assign(createScriptingApi(node), { pipeline: createPipelineApi(pipeline) });
void registerServiceWorker();

// If the UI cannot start, a plain status line still shows what a person must see: the mesh
// state, rejected input and problems.
try {
  mountApp(node, document.body, { pipeline });
} catch (error) {
  // The node and window.lattice work without the UI; say why the screen is bare.
  console.error(error);
  showBootStatus(node);
}

function showBootStatus(n: LatticeNode): void {
  const line = document.createElement('pre');
  line.id = 'lattice-boot-status';
  line.style.cssText = 'font: 13px/1.5 ui-monospace, monospace; margin: 1rem; white-space: pre-wrap;';
  document.body.append(line);
  const render = (s: MeshStatus): void => {
    const peers = s.peers.map((p) => `  ${p.name} (${p.role}) via ${p.link}${p.converged ? ', converged' : ''}`).join('\n');
    line.textContent =
      `Lattice Mesh · node ${n.identity.name} (${n.identity.nodeId}, ${n.identity.role}) · room ${s.room}\n` +
      `mesh ${s.state} · signaling ${s.signalingConnected ? 'connected' : 'not connected'} · ${n.store.size} entities · ` +
      `rejected messages ${s.rejectedMessages}\n` +
      (s.problem ? `PROBLEM: ${s.problem}\n` : '') +
      `peers:\n${peers || '  none'}`;
  };
  render(n.status());
  n.on('status', render);
}
