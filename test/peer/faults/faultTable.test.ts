/**
 * The fault table merges like a register per fault, so every node ends with the same table
 * whatever order it hears of changes in; faults from peers are checked and bad ones refused;
 * the gate applies a policy reproducibly from its seed, and a cut never holds back management.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { FaultTable, linkPolicy, readFaults, type Fault } from '../../../src/peer/faults/LinkFaults.js';
import { FaultGate } from '../../../src/peer/faults/FaultGate.js';

const NODES = ['na', 'nb', 'nc', 'nd'];

/** A history of adds and heals on several tables, and the faults each produced (as peers would hear them). */
function history(ops: Array<{ table: number; kind: 'cut' | 'impair' | 'heal'; a: number; b: number }>): Fault[] {
  const tables = NODES.map((n) => new FaultTable(n));
  const heard: Fault[] = [];
  let now = 1_000;
  for (const op of ops) {
    const t = tables[op.table]!;
    now += 1;
    if (op.kind === 'heal') {
      const active = t.active();
      if (active.length > 0) heard.push(...t.heal(active[op.a % active.length]!.id, now));
    } else if (op.a !== op.b) {
      heard.push(op.kind === 'cut' ? t.add({ kind: 'cut', a: NODES[op.a]!, b: NODES[op.b]! }, now) : t.add({ kind: 'impair', a: NODES[op.a]!, b: NODES[op.b]!, latencyMs: 10, jitterMs: 0, loss: 0.1, duplicate: 0, reorder: 0, bandwidthBps: 0 }, now));
    }
    // Tables hear each other now and then, so heals act on what they know.
    if (op.b === 0) for (const other of tables) other.merge(heard, now);
  }
  return heard;
}

describe('fault table', () => {
  it('property: any delivery order of the same changes gives every node the same table and the same policies', () => {
    const op = fc.record({ table: fc.nat(3), kind: fc.constantFrom('cut' as const, 'impair' as const, 'heal' as const), a: fc.nat(3), b: fc.nat(3) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (ops, orders) => {
        const heard = history(ops);
        const results = orders.map((seed) => {
          const shuffled = [...heard].sort((x, y) => ((x.id.length * 31 + x.version * seed) % 7) - ((y.id.length * 31 + y.version * seed) % 7));
          const t = new FaultTable('observer');
          for (const f of shuffled) t.merge([f], 2_000);
          t.merge(shuffled, 2_000); // duplicates change nothing
          return JSON.stringify({ list: t.list(), ab: t.active().length, p: linkPolicy(t.active(), 'na', 'nb') });
        });
        expect(new Set(results).size).to.equal(1);
      }),
      { numRuns: 200 },
    );
  });

  it('a heal wins over the fault it heals, in either order', () => {
    const t = new FaultTable('na');
    const cut = t.add({ kind: 'cut', a: 'na', b: 'nb' });
    const [healed] = t.heal(cut.id);
    for (const order of [[cut, healed!], [healed!, cut]]) {
      const other = new FaultTable('nc');
      for (const f of order) other.merge([f]);
      expect(other.active()).to.deep.equal([]);
      expect(other.policy('na').cut).to.equal(false);
    }
  });

  it('refuses malformed faults from a peer and keeps the valid ones', () => {
    const good = new FaultTable('na').add({ kind: 'cut', a: 'na', b: 'nb' });
    const { faults, refused } = readFaults([
      good,
      { ...good, id: 'x', spec: { kind: 'cut', a: 'na', b: 'na' } },
      { ...good, id: 'y', spec: { kind: 'impair', a: 'na', loss: 7 } },
      { ...good, id: 'z', version: -1 },
      { ...good, id: 'w', spec: { kind: 'split', groups: [['na'], ['na']] } },
      { ...good, id: '__proto__', by: 'bad id!' },
      null,
      'text',
    ]);
    expect(faults).to.deep.equal([good]);
    expect(refused).to.equal(7);
    expect(readFaults({ not: 'a list' }).refused).to.equal(1);
    expect(readFaults(Array.from({ length: 1000 }, () => good)).refused).to.be.above(800);
  });

  it('policies: a split cuts across groups only; impairments on a node add up with those on its link', () => {
    const t = new FaultTable('na');
    t.add({ kind: 'split', groups: [['na', 'nb'], ['nc']] });
    expect([t.policy('nb').cut, t.policy('nc').cut, t.policy('nd').cut]).to.deep.equal([false, true, false]);
    t.add({ kind: 'impair', a: 'na', latencyMs: 10, jitterMs: 5, loss: 0.5, duplicate: 0, reorder: 0, bandwidthBps: 0 });
    t.add({ kind: 'impair', a: 'nb', b: 'na', latencyMs: 20, jitterMs: 0, loss: 0.5, duplicate: 0.1, reorder: 0, bandwidthBps: 1000 });
    const p = t.policy('nb');
    expect([p.latencyMs, p.jitterMs, p.loss, p.duplicate, p.bandwidthBps]).to.deep.equal([30, 5, 0.75, 0.1, 1000]);
  });
});

describe('fault gate', () => {
  const run = (seed: string) => {
    const gate = new FaultGate(seed);
    gate.setPolicy({ cut: false, latencyMs: 0, jitterMs: 0, loss: 0.3, duplicate: 0.2, reorder: 0, bandwidthBps: 0 });
    const out: number[] = [];
    for (let i = 0; i < 200; i++) gate.send(Uint8Array.of(0, i), true, (m) => out.push(m[1]!));
    return out;
  };

  it('is reproducible from its seed, and acts', () => {
    expect(run('s1')).to.deep.equal(run('s1'));
    expect(run('s1')).to.not.deep.equal(run('s2'));
    expect(run('s1').length).to.not.equal(200);
  });

  it('a cut drops data but lets management through; a clean link passes at once', () => {
    const gate = new FaultGate('x');
    const out: string[] = [];
    gate.send(Uint8Array.of(0), true, () => out.push('clean'));
    gate.setPolicy({ cut: true, latencyMs: 0, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0, bandwidthBps: 0 });
    gate.send(Uint8Array.of(0), true, () => out.push('data'));
    gate.send(Uint8Array.of(12), false, () => out.push('ping'));
    expect(out).to.deep.equal(['clean', 'ping']);
    expect(gate.counts.cut).to.equal(1);
  });

  it('delays keep order unless reordering is asked for', async () => {
    const gate = new FaultGate('order');
    gate.setPolicy({ cut: false, latencyMs: 5, jitterMs: 20, loss: 0, duplicate: 0, reorder: 0, bandwidthBps: 0 });
    const out: number[] = [];
    for (let i = 0; i < 30; i++) gate.send(Uint8Array.of(0, i), true, (m) => out.push(m[1]!));
    await new Promise((r) => setTimeout(r, 120));
    expect(out).to.deep.equal([...Array(30).keys()]);
  });
});
