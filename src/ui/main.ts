/**
 * Boot: start this tab's mesh node from the URL, install `window.lattice`, register the
 * service worker. The UI mounts below.
 */
import { createScriptingApi, registerServiceWorker, startNodeFromUrl, type LatticeNode, type MeshStatus } from '../peer/index.js';

const node = await startNodeFromUrl(new URL(location.href), sessionStorage);
window.lattice = createScriptingApi(node);
void registerServiceWorker();

// ---------------------------------------------------------------- UI mount
// The UI (`<lattice-app>` in index.html) is mounted here by the UI layer. Until it exists this
// plain status line shows what a person must see: the mesh state, rejected input and problems.
if (!customElements.get('lattice-app')) showBootStatus(node);

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
