/**
 * The UI demo page (ui-demo.html): the real app on in-memory nodes, with sample traffic written
 * by a "sensor" node and replicated to the node on screen. Used for screenshots and for looking
 * at the UI without the mesh. Query: ?tracks=N (default 400), ?requests=0 to start with none,
 * ?budget=B bytes per second for the uplink (default 8000, a 64 kbps satellite link; 0 = none).
 */
import { mountApp } from '../../src/ui/mountApp.js';
import { TRAFFIC_CLASSES, type TrafficClass } from '../../src/peer/LatticeNode.js';
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

/**
 * Plausible uplink traffic for the node on screen: what it would like to send per class, cut to
 * its budget (positions give way first, as the real queue orders them), with the rest waiting.
 * Only a picture for the eye; the real numbers come from the mesh node.
 */
function simulateUplink(node: MemoryNode): void {
  const wanted: Partial<Record<TrafficClass, number>> = { position: 9200, routine: 620, priority: 240, create: 90, delete: 12, presence: 180, relay: 410, sync: 0 };
  const totals: Partial<Record<TrafficClass, number>> = {};
  let queued = 0;
  let coalesced = 0;
  setInterval(() => {
    const limit = node.budget().bytesPerSecond || Infinity;
    const jitter = () => 0.85 + Math.random() * 0.3;
    let left = limit;
    const rate: Partial<Record<TrafficClass, number>> = {};
    // Everything but positions leaves first; positions take what is left of the budget.
    for (const c of [...TRAFFIC_CLASSES.filter((k) => k !== 'position'), 'position' as const]) {
      const sent = Math.min(Math.round((wanted[c] ?? 0) * jitter()), Math.max(0, left - 60 * Math.random()));
      rate[c] = Math.round(sent);
      left -= sent;
      totals[c] = (totals[c] ?? 0) + rate[c];
    }
    const behind = Number.isFinite(limit) ? Math.max(0, (wanted.position ?? 0) - (rate.position ?? 0)) : 0;
    queued = behind > 0 ? Math.round(Math.min(400, queued * 0.6 + behind / 9 + Math.random() * 20)) : 0;
    coalesced += Math.round(behind / 40);
    node.setTraffic({
      bytesPerSecond: rate,
      totalBytes: totals,
      queueDepth: queued + (queued > 0 ? 14 : 0),
      queued: { position: queued, routine: queued > 0 ? 11 : 0, priority: queued > 0 ? 2 : 0, create: queued > 0 ? 1 : 0, delete: 0 },
      coalesced,
      oldestWaitMs: queued > 0 ? 1800 + Math.random() * 2600 : 0,
      pendingBytes: queued > 0 ? Math.round(limit * (0.4 + Math.random() * 0.5)) : 0,
    });
  }, 1000);
}
ui.setBudget({ bytesPerSecond: Math.max(0, Math.round(Number(params.get('budget') ?? 8000)) || 0) });
simulateUplink(ui);

const app = mountApp(ui, document.body);
app.addEventListener('approval-decision', (e) => console.info('approval-decision', e.detail));
Object.assign(window, { demo: { ui, sensor, second, mesh, traffic, app, start } });
