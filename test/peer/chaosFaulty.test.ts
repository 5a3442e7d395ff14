/**
 * Chaos with one faulty node among five honest ones (issue 13): first its clock runs an hour
 * fast, then it floods the mesh with content no honest node writes. Meanwhile the honest nodes
 * go through the same seeded storm as in `chaos.test.ts`. Afterwards the honest nodes are
 * identical and equal the oracle of every write whose stamp was not ahead of the mesh's clock
 * (the fast node's, held until their time, count for nothing yet); no refused content is
 * stored anywhere; the fast node was fenced; the flooder is named on the nodes it reached.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { decodeHlc, DEFAULT_MAX_OFFSET_MS, LEASES_MAP, LOG_NAME, PIPELINE_MAP } from '../../src/crdt/index.js';
import { MemoryNetwork } from '../../src/peer/memoryTransport.js';
import { seededRandom } from '../../src/peer/faults/FaultGate.js';
import { boot, expectOracle, settle, storm, type Chaos } from './chaosHarness.js';
import { waitUntil } from './check.js';

const SEED = 404;
const HONEST = 5;
const EVENTS = 200;
const HOUR = 3_600_000;

/** A sync message carrying `update`, as a modified page would put on its links. */
function syncMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** What the flooder sends: each message a new item no honest node would write. */
function floodMessages(count: number, random: () => number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(syncMessage(u)));
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.4) doc.getArray('lattice.noise').push([i]);
    else if (r < 0.6) doc.getArray(LOG_NAME).push([['not a stamp', ['x', 1, 2]]]);
    else if (r < 0.7) doc.getArray(LOG_NAME).push([new Y.Map()]);
    else if (r < 0.8) doc.getMap(LEASES_MAP).set(`k${i}`, { blob: 'x'.repeat(1024) });
    else if (r < 0.9) doc.getMap(PIPELINE_MAP).set('run', new Y.Text('run'));
    else doc.getArray(LOG_NAME).push([new Uint8Array([i & 255])]);
  }
  return out;
}

describe('chaos with a faulty node (seeded)', () => {
  it(`seed ${SEED}: ${HONEST} honest nodes and one with a fast clock, then flooding; the honest ones converge and equal the oracle`, async function () {
    this.timeout(120_000);
    const random = seededRandom(`chaos-faulty-${SEED}`);
    let skew = HOUR;
    const chaos: Chaos = { network: new MemoryNetwork(), nodes: [], history: new Map(), random, actors: (nodes) => nodes.map((_, i) => i).filter((i) => i < HONEST) };
    for (let i = 0; i < HONEST; i++) chaos.nodes.push(await boot(chaos, i));
    const faulty = await boot(chaos, HONEST, undefined, () => Date.now() + skew);
    chaos.nodes.push(faulty);
    const honest = (): typeof chaos.nodes => chaos.nodes.slice(0, HONEST);
    let fenced = false;
    let fastWrites = 0;
    try {
      await waitUntil(() => chaos.nodes.every((n) => n.links().length === HONEST), 'all linked', 5000);
      // Phase 1: the fast node writes on every event while the honest storm goes on.
      await storm(chaos, EVENTS / 2, (e) => {
        fenced ||= faulty.store.clockFence !== undefined;
        try {
          faulty.store.transact(() => {
            for (const id of ['c1', 'c2', `fast${e % 5}`]) {
              if (faulty.store.has(id)) faulty.store.update(id, { position: { lat: e, lon: 2, alt: 0 } });
              else faulty.store.create(id, 'track', { position: { lat: e, lon: 2, alt: 0 } });
            }
          });
          fastWrites++;
        } catch {
          // fenced (ClockFencedError), or a create hidden by a tombstone: refused, not written
        }
      });
      // A node with one peer cannot tell whose clock is wrong: with the links back, it can.
      chaos.nodes[0]!.faults.heal();
      for (const n of chaos.nodes) n.connect();
      await waitUntil(() => faulty.store.clockFence !== undefined || fenced, 'the fast node is fenced', 10_000, () => `offsets ${faulty.transport.peerClockOffsets().join(',')}; links ${faulty.links().length}; problem ${faulty.status().problem}`);
      fenced = true;
      // Phase 2: its clock is right again, and it floods with content no honest node writes.
      skew = 0;
      const flood = floodMessages(3000, random);
      let sent = 0;
      await storm(chaos, EVENTS / 2, () => {
        for (let k = 0; k < 30 && sent < flood.length; k++) faulty.transport.injectRaw(flood[sent++]!);
      });
      while (sent < flood.length) faulty.transport.injectRaw(flood[sent++]!);
      await settle(chaos, `seed ${SEED}`, honest());
      // What the fast node wrote while an hour ahead is held on honest nodes, not applied: the
      // oracle counts only what was not ahead of the mesh's clock.
      const due = Date.now() + DEFAULT_MAX_OFFSET_MS;
      const counted = [...chaos.history.values()].filter((raw) => decodeHlc(raw[0]).wall <= due);
      expectOracle(`seed ${SEED}`, honest(), counted);
      for (const n of honest()) {
        expect([...n.uplink.doc.share.keys()].every((name) => [LOG_NAME, LEASES_MAP, PIPELINE_MAP].includes(name)), `${n.identity.name} stores no refused root`).to.equal(true);
        expect(n.uplink.doc.getArray(LOG_NAME).toArray().every((entry) => Array.isArray(entry)), `${n.identity.name} stores no refused log entry`).to.equal(true);
        expect(Object.keys(n.uplink.doc.getMap(LEASES_MAP).toJSON()).length, `${n.identity.name} stores none of the flooder's lease keys`).to.be.at.most(1);
      }
      const naming = honest().filter((n) => (n.status().rejectedByPeer?.[faulty.identity.name] ?? 0) > 0);
      expect(naming.length, 'honest nodes name the flooder').to.be.above(0);
      expect(fenced).to.equal(true);
      // It wrote before its first clock probe answered, so some of its writes are held.
      expect(fastWrites, 'the fast node wrote before it was fenced').to.be.above(0);
    } finally {
      await Promise.all(chaos.nodes.map((n) => n.destroy()));
    }
  });
});
