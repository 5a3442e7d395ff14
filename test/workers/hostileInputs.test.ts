/**
 * The page and the worker accept exactly the same inputs (issue 13 §3): whatever a peer can put
 * in the document that the page admits (a run that `parseScenario` accepts, entities the store
 * accepts) must not make a pipeline step throw, nor make one step do unbounded work. Property
 * tests: fast-check generates hostile-but-valid runs and entities, and the pipeline is ticked
 * over them on a clock the test moves.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { EntityStore, LatticeError, type Components } from '../../src/crdt/index.js';
import { Pipeline } from '../../src/workers/Pipeline.js';
import { writeRun } from '../../src/workers/RunConfig.js';
import { MAX_PLOTS_PER_S, parseScenario, ScenarioError, type Scenario } from '../../src/workers/scenario.js';

const START = 1_800_000_000_000;
const CATCH_UP_S = 30;

/** Extreme values first: fast-check mixes them with the rest of the range. */
const inRange = (min: number, max: number) => fc.oneof(fc.constantFrom(min, max, (min + max) / 2), fc.double({ min, max, noNaN: true }));
const lat = inRange(-85, 85);
const lon = inRange(-180, 180);
const point = fc.record({ lat, lon, alt: inRange(-500, 30_000) });
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);

function scenarioArbitrary() {
  return fc.integer({ min: 1, max: 24 * 3600 }).chain((durationS) => {
    const atS = inRange(0, durationS);
    const manoeuvre = fc.oneof(
      fc.record({ kind: fc.constant('turn'), atS, headingDeg: inRange(0, 360), rateDegS: inRange(0.1, 30) }),
      fc.record({ kind: fc.constant('speed'), atS, speedKn: inRange(0, 2_000), accelKnS: inRange(0.1, 100) }),
      fc.record({ kind: fc.constant('waypoint'), atS, lat, lon, rateDegS: inRange(0.1, 30) }),
    );
    const target = fc.record({
      id,
      start: point,
      speedKn: inRange(0, 2_000),
      headingDeg: inRange(0, 360),
      appearS: inRange(0, durationS),
      manoeuvres: fc.array(manoeuvre, { maxLength: 4 }),
    });
    const base = {
      id,
      position: point,
      rateHz: inRange(0.01, 10),
      rangeM: inRange(100, 1_000_000),
      detectionProbability: inRange(0.05, 1),
      falseAlarmsPerScan: inRange(0, 200),
    };
    const record = fc.record(
      { time: inRange(0, durationS), ref: id, lat, lon, noiseM: inRange(0.5, 10_000), ve: inRange(-1_500, 1_500), vn: inRange(-1_500, 1_500) },
      { requiredKeys: ['time', 'ref', 'lat', 'lon', 'noiseM'] },
    );
    const sensor = fc.oneof(
      fc.record({ kind: fc.constant('eo'), ...base, noiseM: inRange(0, 100), velocityNoiseMs: inRange(0, 20) }),
      fc.record({ kind: fc.constant('radar'), ...base, rangeNoiseM: inRange(0, 5_000), bearingNoiseDeg: inRange(0, 10) }),
      fc.record({ kind: fc.constant('external'), id, records: fc.array(record, { maxLength: 20 }) }),
    );
    return fc.record({
      name: fc.constant('hostile'),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      durationS: fc.constant(durationS),
      origin: point,
      targets: fc.array(target, { maxLength: 6 }),
      assets: fc.array(fc.record({ id, position: point }), { maxLength: 3 }),
      sensors: fc.array(sensor, { minLength: 1, maxLength: 3 }),
    });
  });
}

/** The run as the page would admit it, or undefined when the page refuses it. */
function admitted(raw: unknown): Scenario | undefined {
  try {
    return parseScenario(raw);
  } catch (error) {
    if (error instanceof ScenarioError) return undefined;
    throw error;
  }
}

class Node {
  now = START;
  readonly doc = new Y.Doc();
  readonly store = new EntityStore(this.doc, { node: 'n0-pl', physicalNow: () => this.now });
  readonly logged: string[] = [];
  readonly pipeline = new Pipeline(this.store, { holder: 'n0', leaseTtlMs: 3_000, maxCatchUpS: CATCH_UP_S, approvalTimeoutMs: 5_000, log: (m) => this.logged.push(m) });

  /** Moves the clock to `runTimeS` into a run started at START and ticks; checks one step's work. */
  tickAt(runTimeS: number): void {
    this.now = START + Math.round(runTimeS * 1000);
    const status = this.pipeline.tick();
    expect(status.problem, 'an admitted run has no problem').to.equal(undefined);
    expect(status.role, 'the only node computes the run').to.be.oneOf(['computing', 'finished']);
    // One step fuses at most the catch-up window's worth of plots, however long the gap.
    if (status.timing) expect(status.timing.plots).to.be.at.most(MAX_PLOTS_PER_S * (CATCH_UP_S + 1));
  }

  destroy(): void {
    this.pipeline.destroy();
    this.store.destroy();
  }
}

describe('the pipeline over hostile but admitted input', () => {
  it('steps every run the page admits without throwing, with bounded work per step', () => {
    fc.assert(
      fc.property(scenarioArbitrary(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), (raw, at) => {
        const scenario = admitted(raw);
        fc.pre(scenario !== undefined);
        // What the page writes (the normalised scenario) reads back as the same scenario.
        expect(JSON.stringify(parseScenario(JSON.parse(JSON.stringify(scenario))))).to.equal(JSON.stringify(scenario));
        const node = new Node();
        try {
          writeRun(node.doc, scenario!, scenario!.seed, START);
          node.tickAt(0);
          node.tickAt(1);
          // Later ticks jump ahead (a sleeping tab, a takeover), in order, up to past the end.
          for (const f of [...at].sort()) node.tickAt(Math.max(2, f * (scenario!.durationS + 2)));
        } finally {
          node.destroy();
        }
      }),
      { numRuns: 100, seed: 13, includeErrorInReport: true },
    );
  });

  it('admits no run whose plots per second exceed the budget', () => {
    const sensor = { id: 'r', kind: 'radar', position: { lat: 0, lon: 0 }, rateHz: 10, rangeM: 1_000, rangeNoiseM: 1, bearingNoiseDeg: 1, falseAlarmsPerScan: 200 };
    const raw = { name: 'flood', origin: { lat: 0, lon: 0 }, targets: [], sensors: Array.from({ length: 16 }, (_, i) => ({ ...sensor, id: `r${i}` })) };
    expect(() => parseScenario(raw)).to.throw(ScenarioError, /plots per second/);
    expect(() => parseScenario({ ...raw, sensors: raw.sensors.slice(0, 1) })).to.not.throw();
  });

  it('admits no run whose truth would take a takeover too long to catch up', () => {
    const target = { start: { lat: 0, lon: 0 }, speedKn: 100, headingDeg: 0 };
    const raw = { name: 'long', durationS: 24 * 3600, origin: { lat: 0, lon: 0 }, sensors: [{ id: 'e', kind: 'eo', position: { lat: 0, lon: 0 }, rateHz: 0.01, rangeM: 1_000 }] };
    expect(() => parseScenario({ ...raw, targets: Array.from({ length: 42 }, (_, i) => ({ ...target, id: `t${i}` })) })).to.throw(ScenarioError, /target-seconds/);
    expect(() => parseScenario({ ...raw, targets: Array.from({ length: 41 }, (_, i) => ({ ...target, id: `t${i}` })) })).to.not.throw();
  });

  it('flies a target over the pole and writes only positions every store admits', () => {
    const scenario = parseScenario({
      name: 'pole',
      durationS: 700,
      origin: { lat: 85, lon: 0 },
      targets: [{ id: 't1', start: { lat: 85, lon: 0 }, speedKn: 2_000, headingDeg: 0 }],
      sensors: [{ id: 'eo-1', kind: 'eo', position: { lat: 85, lon: 0 }, rateHz: 1, rangeM: 1_000_000 }],
    });
    const node = new Node();
    writeRun(node.doc, scenario, scenario.seed, START);
    // 1,029 m/s: over the pole (555 km north) after about 9 minutes, and on down the other side.
    let nearest = 0;
    let written = 0;
    for (let t = 0; t <= 700; t += 2) {
      node.tickAt(t);
      for (const v of node.store.list('track')) {
        if (v.components.source?.sensorType !== 'eo') continue;
        written++;
        nearest = Math.max(nearest, v.components.position!.lat);
      }
    }
    expect(node.pipeline.status().setAside, 'every EO track was written').to.deep.equal([]);
    expect(written).to.be.greaterThan(100);
    expect(nearest, 'tracked up to the pole').to.be.greaterThan(89.9);
    node.destroy();
  });

  it('sets aside the one entity a step cannot handle, and reports it', () => {
    const scenario = parseScenario({
      name: 'tasking',
      durationS: 600,
      origin: { lat: 52, lon: 4 },
      targets: [],
      assets: [{ id: 'a1', position: { lat: 52, lon: 4 } }],
      sensors: [{ id: 'eo-1', kind: 'eo', position: { lat: 52, lon: 4 }, rateHz: 1, rangeM: 10_000 }],
    });
    const node = new Node();
    const peer = new EntityStore(node.doc, { node: 'peer', physicalNow: () => node.now });
    writeRun(node.doc, scenario, scenario.seed, START);
    node.tickAt(1);
    // Approved requests on two high-threat tracks; one request id is too long to name a task.
    for (const [id, requestId] of [['t.bad', 'r'.repeat(64)], ['t.good', 'r1']] as const) {
      peer.create(id, 'track', { position: { lat: 52.01, lon: 4, alt: 0 }, threat: { level: 'high' } });
      peer.record(id, { kind: 'request', requestId, deadline: peer.wallNow() + 60_000, tasks: ['intercept'], auto: false });
      peer.clock.now();
      peer.record(id, { kind: 'decision', requestId, verdict: 'approve', operator: 'op' });
    }
    node.tickAt(2);
    node.tickAt(3);
    expect(node.pipeline.status().setAside.map((e) => [e.id, e.stage])).to.deep.equal([['t.bad', 'tasking']]);
    expect(node.pipeline.status().setAside[0]!.reason).to.contain('has an id too long to name its task');
    expect(node.logged.join('\n')).to.contain('set entity "t.bad" aside');
    expect(node.store.has('task.r1'), 'the other track is still tasked').to.equal(true);
    peer.destroy();
    node.destroy();
  });

  it('steps over hostile entities a peer wrote that the page admits', () => {
    const scenario = parseScenario({
      name: 'polar',
      durationS: 600,
      origin: { lat: 84, lon: 179.9 },
      targets: [{ id: 't1', start: { lat: 84.5, lon: 179.95 }, speedKn: 400, headingDeg: 10 }],
      assets: [{ id: 'a1', position: { lat: 84, lon: -179.9 } }],
      sensors: [{ id: 'eo-1', kind: 'eo', position: { lat: 84, lon: 179.9 }, rateHz: 1, rangeM: 300_000 }],
    });
    const position = fc.record({ lat: inRange(-90, 90), lon: inRange(-180, 180), alt: inRange(-12_000, 1_000_000) });
    const velocity = fc.record({ speed: inRange(0, 3_000), heading: inRange(0, 359.99) });
    const fusion = fc.record({
      sourceIds: fc.array(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), { maxLength: 32 }),
      confidence: inRange(0, 1),
      errorMajorM: inRange(0, 1_000_000),
      errorMinorM: inRange(0, 1_000_000),
      errorOrientationDeg: inRange(0, 359),
    });
    const entityId = fc.oneof(fc.constantFrom('fus.a', 'fus.b', 'eo-1.T1', 'scn.a1', 'a.own', 't.own'), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/));
    const requestId = fc.oneof(fc.constant('r'.repeat(64)), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/));
    const write = fc.oneof(
      fc.record({
        kind: fc.constant('track' as const),
        id: entityId,
        position,
        velocity,
        fusion: fc.option(fusion, { nil: undefined }),
        source: fc.record({ sensorId: fc.constantFrom('fusion', 'eo-1', 'x'), sensorType: fc.constantFrom('fused', 'eo', 'radar', 'external', 'operator') }),
        threat: fc.constantFrom('none', 'low', 'medium', 'high'),
        requestId: fc.option(requestId, { nil: undefined }),
      }),
      fc.record({ kind: fc.constant('asset' as const), id: entityId, position, affiliation: fc.constantFrom('friend', 'hostile', 'unknown') }),
      fc.record({
        kind: fc.constant('task' as const),
        id: entityId,
        targetId: entityId,
        assetId: entityId,
        requestId,
        status: fc.constantFrom('created', 'sent', 'acknowledged', 'executing', 'done_ok', 'cancelled'),
      }),
      fc.record({ kind: fc.constant('delete' as const), id: entityId }),
    );
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 3 }), (writes, afterTicks) => {
        const node = new Node();
        // The peer's replica: what it writes reaches the node as a remote update.
        const peerDoc = new Y.Doc();
        const peer = new EntityStore(peerDoc, { node: 'peer', physicalNow: () => node.now });
        peerDoc.on('update', (u: Uint8Array) => Y.applyUpdate(node.doc, u, 'peer'));
        node.doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'peer' && Y.applyUpdate(peerDoc, u, 'node'));
        try {
          writeRun(node.doc, scenario, scenario.seed, START);
          let t = 0;
          for (let i = 0; i < afterTicks; i++) node.tickAt((t += 1));
          for (const w of writes) {
            try {
              peerWrite(peer, w);
            } catch (error) {
              // Refused by the peer's own store: the page would refuse it too.
              if (!(error instanceof LatticeError)) throw error;
            }
            node.tickAt((t += 1));
          }
          for (let i = 0; i < 8; i++) node.tickAt((t += 1));
        } finally {
          node.destroy();
          peer.destroy();
        }
      }),
      { numRuns: 120, seed: 13, includeErrorInReport: true },
    );
  });
});

type PeerWrite =
  | { kind: 'track'; id: string; position: Components['position']; velocity: Components['velocity']; fusion: Components['fusion']; source: Components['source']; threat: string; requestId: string | undefined }
  | { kind: 'asset'; id: string; position: Components['position']; affiliation: string }
  | { kind: 'task'; id: string; targetId: string; assetId: string; requestId: string; status: string }
  | { kind: 'delete'; id: string };

/** A write the peer's own store accepts (a refused one is skipped: the page would refuse it too). */
function peerWrite(peer: EntityStore, w: PeerWrite): void {
  if (w.kind === 'delete') {
    if (peer.has(w.id)) peer.delete(w.id);
    return;
  }
  if (peer.has(w.id)) peer.delete(w.id);
  peer.transact(() => {
    if (w.kind === 'track') {
      peer.create(w.id, 'track', { position: w.position, velocity: w.velocity, source: w.source, threat: { level: w.threat as 'high' }, ...(w.fusion ? { fusion: w.fusion } : {}) });
    } else if (w.kind === 'asset') {
      peer.create(w.id, 'asset', { position: w.position, affiliation: { value: w.affiliation as 'friend' } });
    } else {
      peer.create(w.id, 'task', { task: { kind: 'intercept', targetId: w.targetId, assetId: w.assetId, requestId: w.requestId, status: w.status as 'created' } });
    }
  });
  if (w.kind === 'track' && w.requestId !== undefined) {
    // A request and an approval from "an operator": tasking then wants an intercept task.
    peer.record(w.id, { kind: 'request', requestId: w.requestId, deadline: peer.wallNow() + 60_000, tasks: ['intercept'], auto: false });
    peer.clock.now();
    peer.record(w.id, { kind: 'decision', requestId: w.requestId, verdict: 'approve', operator: 'op' });
  }
}
