import { mountApp } from '../../src/ui/mountApp.js';
import type { LatticeApp } from '../../src/ui/LatticeApp.js';
import type { ApprovalDecisionDetail } from '../../src/ui/panels/ApprovalQueue.js';
import { fetchBasemap } from '../../src/ui/map/basemap.js';
import * as L from '../../src/ui/map/leaflet.js';
import { MemoryMesh, MemoryNode } from './MemoryNode.js';
import { trackNumber } from '../../src/ui/trackName.js';
import { check, checkEqual, cleanup, collect, waitUntil } from './assert.js';

/** Two in-memory nodes in one mesh; the app shows `ops`, `sensor` writes. */
async function setup(role: 'operator' | 'viewer' = 'operator'): Promise<{ app: LatticeApp; ops: MemoryNode; sensor: MemoryNode; mesh: MemoryMesh; shadow: (sel: string) => Element | null }> {
  const mesh = new MemoryMesh();
  const ops = new MemoryNode({ nodeId: 'ops-1', name: 'Ops North', room: 'test-room', role });
  const sensor = new MemoryNode({ nodeId: 'sensor-1', name: 'Sensor East', room: 'test-room' });
  mesh.add(ops);
  mesh.add(sensor, 'broadcastchannel');
  const root = document.createElement('div');
  root.style.cssText = 'width:1300px;height:800px;';
  document.body.appendChild(root);
  const app = mountApp(ops, root, { basemap: { land: { type: 'FeatureCollection', features: [] }, borders: { type: 'MultiLineString', coordinates: [] } } });
  await app.updateComplete;
  const shadow = (sel: string): Element | null => {
    // Looks through nested shadow roots: "lattice-status-bar >>> .offline" style, one level at a time.
    const parts = sel.split(' >>> ');
    let scope: ParentNode = app.shadowRoot!;
    let found: Element | null = null;
    for (const part of parts) {
      found = scope.querySelector(part);
      if (!found) return null;
      scope = found.shadowRoot ?? found;
    }
    return found;
  };
  return { app, ops, sensor, mesh, shadow };
}

const text = (el: Element | null): string => (el?.shadowRoot ?? el)?.textContent?.replace(/\s+/g, ' ') ?? '';

describe('<lattice-app> with an in-memory node', () => {
  afterEach(cleanup);

  it('status bar shows node, role, room, peers, sync state and an offline indicator', async () => {
    const { ops, shadow } = await setup();
    const bar = () => text(shadow('lattice-status-bar'));
    await waitUntil(() => bar().includes('Converged'), 'the bar says converged');
    for (const part of ['NodeOps North', 'operator', 'Roomtest-room', 'Peers1', 'SyncConverged']) {
      check(bar().replace(/ /g, '').includes(part.replace(/ /g, '')), `status bar shows "${part}": ${bar()}`);
    }
    check(!shadow('lattice-status-bar >>> .offline'), 'no offline indicator while online');
    ops.disconnect();
    await waitUntil(() => shadow('lattice-status-bar >>> .offline') !== null, 'the offline indicator appears');
    check(bar().includes('OFFLINE'), 'says OFFLINE');
  });

  it('mesh panel lists peers with link and convergence, and goes offline and back', async () => {
    const { app, ops, sensor, mesh, shadow } = await setup();
    app.tab = 'mesh';
    await app.updateComplete;
    const panel = () => text(shadow('lattice-mesh-panel'));
    await waitUntil(() => panel().includes('Sensor East') && panel().includes('✓ converged'), 'peer shown converged');
    check(panel().includes('same browser'), 'link kind shown');
    // The peer announces a digest that differs from ours: in sync for a grace period, then syncing.
    const started = Date.now();
    ops.setStatus({ peers: ops.status().peers.map((p) => ({ ...p, digest: '1:0000000000000000', converged: false })) });
    await waitUntil(() => panel().includes('ago'), 'recently converged peer still counted, with its age');
    await waitUntil(() => panel().includes('⟳ syncing'), 'peer shown as syncing after the grace period', 8000);
    check(Date.now() - started >= 4000, 'not before the grace period');
    shadow('lattice-mesh-panel >>> button')!.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    checkEqual(ops.disconnectCalls, 1, 'Go offline called node.disconnect()');
    await waitUntil(() => panel().includes('Reconnect'), 'button offers reconnect');
    sensor.store.create('while-away', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    (shadow('lattice-mesh-panel >>> button') as HTMLButtonElement).click();
    checkEqual(ops.connectCalls, 1, 'Reconnect called node.connect()');
    mesh.refresh();
    await waitUntil(() => ops.store.has('while-away'), 'the node caught up after reconnecting');
  });

  it('mesh tab sets the uplink budget through the node, shows a refusal, and the status bar follows the traffic', async () => {
    const { app, ops, shadow } = await setup();
    app.tab = 'mesh';
    await app.updateComplete;
    const panel = () => shadow('lattice-budget-panel')!.shadowRoot!;
    const indicator = () => shadow('lattice-status-bar >>> .uplink');
    await waitUntil(() => text(panel().querySelector('.current')).trim() === 'unlimited', 'unlimited at first');
    checkEqual(indicator(), null, 'no indicator without a budget');
    [...panel().querySelectorAll<HTMLButtonElement>('.presets button')].find((b) => b.textContent!.trim() === '9.6 kbps radio')!.click();
    checkEqual(ops.budgetCalls, [{ bytesPerSecond: 1200, burstBytes: 1200 }], 'preset applied by node.setBudget');
    await app.updateComplete;
    await waitUntil(() => text(panel().querySelector('.current')).includes('1.2 kB/s (9.6 kbit/s)'), 'the panel shows the new budget at once');
    await waitUntil(() => indicator() !== null, 'the status bar shows the budget');
    // Traffic is polled, not pushed: a change in the node's report reaches the screen within a second or so.
    ops.setTraffic({ bytesPerSecond: { position: 1100 }, queueDepth: 40, queued: { position: 40 } });
    await waitUntil(() => text(indicator()).includes('▲ 1.1/1.2 kB/s · 40 waiting'), () => `indicator follows the traffic: "${text(indicator())}"`, 3000);
    const input = (name: string) => panel().querySelector<HTMLInputElement>(`input[name=${name}]`)!;
    const apply = () => panel().querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    // The node refuses a burst below its minimum: the reason is shown, the budget stays.
    input('bytesPerSecond').value = '4000';
    input('burstBytes').value = '100';
    apply();
    await app.updateComplete;
    await waitUntil(() => text(panel().querySelector('[role=alert]')).includes('Budget not changed: The burst must be'), 'the refusal is shown in the panel');
    checkEqual(ops.budget(), { bytesPerSecond: 1200, burstBytes: 1200 }, 'budget unchanged');
    // Input that is not a number never reaches the node.
    input('bytesPerSecond').value = '-4000';
    input('burstBytes').value = '';
    apply();
    await app.updateComplete;
    checkEqual(ops.budgetCalls.length, 1, 'no call for a negative rate');
    input('bytesPerSecond').value = '4000';
    input('burstBytes').value = '8192';
    apply();
    await app.updateComplete;
    checkEqual(ops.budget(), { bytesPerSecond: 4000, burstBytes: 8192 }, 'applied with its burst');
    await waitUntil(() => panel().querySelector('[role=alert]') === null, 'the refusal is cleared once a budget is accepted');
    [...panel().querySelectorAll<HTMLButtonElement>('.presets button')].find((b) => b.textContent!.trim() === 'Unlimited')!.click();
    await waitUntil(() => indicator() === null, 'lifting the budget removes the indicator');
  });

  it('approval queue shows requests made on another node and writes the decision for the mesh', async () => {
    const { app, sensor, shadow } = await setup();
    const decisions = collect<ApprovalDecisionDetail>(document.body, 'approval-decision');
    sensor.store.create('trk-1', 'track', {
      position: { lat: 57, lon: 19, alt: 1000 },
      classification: { label: 'military jet', confidence: 0.8 },
      threat: { level: 'high' },
    });
    const requestId = sensor.approvals.request('trk-1', ['intercept'], { timeoutMs: 30_000 });
    await waitUntil(() => app.approvals.pending.length === 1, 'the request is pending');
    const row = () => shadow('lattice-approval-queue >>> li.request');
    await waitUntil(() => row() !== null, 'the request is listed');
    check(text(row()).includes(`${trackNumber('trk-1')} intercept · military jet`), `row names target, task and class: ${text(row())}`);
    check(text(shadow('lattice-status-bar')).replace(/ /g, '').includes('Approvals1'), 'status bar counts it');
    await waitUntil(() => text(row()).includes('requested by Sensor East'), () => `the requester is named, not numbered: ${text(row())}`);
    (row()!.querySelector('button.approve') as HTMLButtonElement).click();
    checkEqual(decisions, [{ entityId: 'trk-1', requestId, decision: 'approve' }], 'decision raised');
    // Written to the document: the request leaves the queue and the history says who decided.
    await waitUntil(() => app.approvals.history.length === 1, 'request retired', 4000);
    checkEqual(app.approvals.history[0]!.outcome, 'approved', 'outcome');
    checkEqual(app.approvals.history[0]!.by, 'Ops North', 'decided by');
    await waitUntil(() => sensor.approvals.outcome('trk-1')?.state === 'approved', 'the other node sees the approval');
  });

  it('gives a viewer no decision or pipeline control, only one line saying why', async () => {
    const { app, sensor, shadow } = await setup('viewer');
    sensor.store.create('trk-v', 'track', { position: { lat: 57, lon: 19, alt: 1000 }, threat: { level: 'high' } });
    sensor.approvals.request('trk-v', ['intercept'], { timeoutMs: 30_000 });
    await waitUntil(() => shadow('lattice-approval-queue >>> li.request') !== null, 'the request is listed');
    const queue = shadow('lattice-approval-queue')!.shadowRoot!;
    const decide = [...queue.querySelectorAll<HTMLButtonElement>('button')].filter((b) => /^(Approve|Deny)/.test(b.getAttribute('aria-label') ?? b.textContent!.trim()) && !b.disabled);
    checkEqual(decide.length, 0, 'no enabled Approve or Deny');
    checkEqual(queue.querySelectorAll('kbd').length, 0, 'no key hints');
    check(text(shadow('lattice-approval-queue')).includes('Viewer: you can watch but not decide or run the pipeline'), 'the queue says why');
    app.tab = 'pipeline';
    await app.updateComplete;
    await waitUntil(() => shadow('lattice-pipeline-panel') !== null, 'the pipeline tab is shown');
    check(text(shadow('lattice-pipeline-panel')).includes('Viewer: you can watch'), 'so does the pipeline tab');
  });

  it('shows why a decision was refused, and writes nothing', async () => {
    const { app, sensor, shadow, ops } = await setup();
    sensor.store.create('trk-2', 'track', { position: { lat: 57, lon: 19, alt: 1000 }, threat: { level: 'high' } });
    sensor.approvals.request('trk-2', ['intercept'], { timeoutMs: 30_000 });
    await waitUntil(() => app.approvals.pending.length === 1, 'the request is pending');
    const digest = ops.store.digest();
    // A decision on a request that has since been replaced (the screen lagged behind the mesh).
    shadow('lattice-approval-queue')!.dispatchEvent(new CustomEvent('approval-decision', { detail: { entityId: 'trk-2', requestId: 'stale', decision: 'approve' }, bubbles: true, composed: true }));
    await app.updateComplete;
    check(text(shadow('lattice-approval-queue >>> [role=alert]')).includes('Not sent: Request stale is no longer the current request'), 'the refusal is shown');
    checkEqual(ops.store.digest(), digest, 'nothing written');
  });

  it('inspector shows every component with value, HLC, writing node and age, and follows updates', async () => {
    const { app, sensor, ops, shadow } = await setup();
    sensor.store.create('trk-7', 'track', {
      position: { lat: 57.5, lon: 19.25, alt: 3000 },
      velocity: { speed: 200, heading: 45 },
      affiliation: { value: 'hostile' },
      threat: { level: 'medium' },
    });
    ops.store.update('trk-7', { classification: { label: 'fighter', confidence: 0.6 } });
    // Select it the keyboard way: the track list.
    app.tab = 'tracks';
    await app.updateComplete;
    await waitUntil(() => shadow('lattice-track-list >>> tr[data-id="trk-7"]') !== null, 'track listed');
    const trackRow = shadow('lattice-track-list >>> tr[data-id="trk-7"]') as HTMLElement;
    trackRow.click();
    await app.updateComplete;
    checkEqual(app.selectedId, 'trk-7', 'a click selects the track');
    checkEqual(app.tab, 'tracks', 'and the table stays open');
    trackRow.focus();
    trackRow.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await app.updateComplete;
    checkEqual(app.tab, 'inspector', 'Enter opens the inspector');
    const rows = () => [...(shadow('lattice-inspector')!.shadowRoot!.querySelectorAll('tbody tr') as NodeListOf<HTMLElement>)];
    await waitUntil(() => rows().length === 5, 'five component rows');
    checkEqual(rows().map((r) => r.dataset.component), ['position', 'velocity', 'classification', 'threat', 'affiliation'], 'components');
    const row = (name: string) => text(rows().find((r) => r.dataset.component === name)!);
    check(row('velocity').includes('389 kn') && row('velocity').includes('hdg 045°'), `velocity value: ${row('velocity')}`);
    check(row('position').includes('sensor-1'), 'position written by the sensor node');
    check(row('classification').includes('ops-1 (this node)'), 'classification written here');
    check(/\d{2}:\d{2}:\d{2}\.\d{3}Z/.test(row('threat')), 'HLC time shown');
    check(/\d+ s/.test(row('threat')), 'age shown');
    sensor.store.update('trk-7', { threat: { level: 'high' } });
    await waitUntil(() => row('threat').includes('high'), 'inspector follows remote updates');
  });

  it('selects a track by clicking it on the map, and follows it as it moves', async () => {
    const { app, sensor, shadow } = await setup();
    sensor.store.create('trk-9', 'track', { position: { lat: 57, lon: 19, alt: 0 }, velocity: { speed: 150, heading: 90 }, source: { sensorId: 'fusion', sensorType: 'fused' } });
    const mapEl = shadow('lattice-map') as HTMLElementTagNameMap['lattice-map'];
    await waitUntil(() => (mapEl.tracks?.lastStats.drawn ?? 0) === 1, 'track drawn');
    const leaflet = mapEl.leaflet!;
    const p = leaflet.latLngToContainerPoint([57, 19]);
    const box = leaflet.getContainer().getBoundingClientRect();
    const target = leaflet.getContainer();
    const init = { bubbles: true, composed: true, clientX: box.left + p.x, clientY: box.top + p.y, button: 0 };
    target.dispatchEvent(new MouseEvent('mousedown', init));
    target.dispatchEvent(new MouseEvent('mouseup', init));
    target.dispatchEvent(new MouseEvent('click', init));
    await waitUntil(() => app.selectedId === 'trk-9', 'clicked track selected');
    target.dispatchEvent(new MouseEvent('mousemove', init));
    const legend = () => text(mapEl.shadowRoot!.querySelector('.legend'));
    await waitUntil(() => /57°00\.0\d\d′N 0(18°59\.9|19°00\.0)\d\d′E/.test(legend()), () => `pointer coordinates shown: "${legend()}"`);
    check(leaflet.getContainer().style.cursor === 'pointer', 'pointer cursor over a track');
    await app.updateComplete;
    check(text(shadow('lattice-inspector')).includes('trk-9'), 'inspector shows it');
    // F follows; the map keeps the track centred as it moves.
    app.dispatchEvent(new KeyboardEvent('keydown', { key: 'f', bubbles: true, composed: true }));
    await waitUntil(() => app.following, 'following');
    sensor.store.update('trk-9', { position: { lat: 57.2, lon: 19.6, alt: 0 } });
    await waitUntil(() => leaflet.getCenter().distanceTo([57.2, 19.6]) < 500, () => `map centred on the moved track (centre ${leaflet.getCenter()}, drawn at ${mapEl.tracks?.position('trk-9')}, follow ${mapEl.follow}, zoom ${leaflet.getZoom()}, size ${leaflet.getSize()}, client ${leaflet.getContainer().clientWidth}x${leaflet.getContainer().clientHeight})`, 5000);
    app.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await waitUntil(() => app.selectedId === undefined && !app.following, 'Escape clears selection and follow');
  });

  it('builds the offline basemap from Natural Earth data and draws it', async () => {
    const basemap = await fetchBasemap('/node_modules/world-atlas/countries-110m.json');
    check(basemap.land.type === 'FeatureCollection' && basemap.land.features.length > 0, 'land features');
    check(basemap.borders.coordinates.length > 100, 'country borders');
    const { app, shadow } = await setup();
    app.basemap = basemap;
    await app.updateComplete;
    const mapEl = shadow('lattice-map') as HTMLElementTagNameMap['lattice-map'];
    await mapEl.updateComplete;
    const leaflet = mapEl.leaflet!;
    leaflet.setView([48, -10], 4, { animate: false });
    const canvas = leaflet.getContainer().querySelector<HTMLCanvasElement>('canvas.lm-basemap')!;
    const pixel = (lat: number, lon: number) => {
      const c = leaflet.latLngToContainerPoint([lat, lon]);
      const p = leaflet.containerPointToLayerPoint(c).subtract(L.DomUtil.getPosition(canvas));
      const ratio = canvas.width / parseFloat(canvas.style.width);
      return [...canvas.getContext('2d')!.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data];
    };
    // Land is filled (central France), the sea is not (Bay of Biscay, open Atlantic).
    await waitUntil(() => pixel(47, 2.5)[3]! > 200, 'land drawn over France');
    checkEqual(pixel(47, 2.5).slice(0, 3), [0x17, 0x2a, 0x38], 'land colour');
    checkEqual(pixel(45.5, -20)[3], 0, 'open sea left clear');
  });
});
