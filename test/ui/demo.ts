/**
 * The UI demo page (ui-demo.html): the real app on in-memory nodes, with sample traffic written
 * by a "sensor" node and replicated to the node on screen. Used for screenshots and for looking
 * at the UI without the mesh. Query: ?tracks=N (default 400), ?requests=0 to start with none.
 */
import { mountApp } from '../../src/ui/mountApp.js';
import { MemoryMesh, MemoryNode } from './MemoryNode.js';
import { populate } from './scenario.js';

const params = new URLSearchParams(location.search);
const trackCount = Math.max(0, Math.min(5000, Number(params.get('tracks') ?? 400) || 0));

const mesh = new MemoryMesh();
const ui = new MemoryNode({ nodeId: 'ops-1', name: 'Ops North', role: params.get('role') === 'viewer' ? 'viewer' : 'operator', room: 'baltic-watch' });
const sensor = new MemoryNode({ nodeId: 'sensor-east', name: 'Sensor East', room: 'baltic-watch' });
const second = new MemoryNode({ nodeId: 'ops-2', name: 'Ops South', room: 'baltic-watch' });
mesh.add(ui);
mesh.add(sensor, 'webrtc');
mesh.add(second, 'broadcastchannel');

const traffic = populate(sensor.store, { tracks: trackCount, seed: 11 });
const start = Date.now();
let requestNo = 0;
const threatening = sensor.store.list('track').filter((e) => e.components.threat?.level === 'high').map((e) => e.id);
function nextRequest(windowMs: number): void {
  const id = threatening[requestNo % Math.max(1, threatening.length)];
  if (!id) return;
  requestNo++;
  traffic.requestApproval(id, windowMs);
}
if (params.get('requests') !== '0') {
  nextRequest(95_000);
  nextRequest(42_000);
  nextRequest(8_000);
  setInterval(() => nextRequest(30_000 + Math.round(Math.random() * 60_000)), 20_000);
}
// Ops South writes an operator mark of its own, so the inspector shows more than one writer.
second.store.create('mark-ops2-1', 'geo', { position: { lat: 57.2, lon: 18.0, alt: 0 }, classification: { label: 'search area', confidence: 1 } });

setInterval(() => traffic.step(Date.now()), 100);
// Peers announce their digests about once a second, as awareness does on the real mesh.
setInterval(() => mesh.refresh(), 1000);
traffic.step(Date.now());

const app = mountApp(ui, document.body);
app.addEventListener('approval-decision', (e) => console.info('approval-decision', e.detail));
Object.assign(window, { demo: { ui, sensor, second, mesh, traffic, app, start } });
