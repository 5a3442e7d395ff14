import { expect } from 'chai';
import fc from 'fast-check';
import {
  ClockSkewError,
  HybridClock,
  MAX_COUNTER,
  ValidationError,
  compareHlc,
  decodeHlc,
  encodeHlc,
  type Hlc,
} from '../../src/crdt/index.js';

const NODES = ['a', 'b', 'c'];

/** A scripted physical clock that can step backwards, stall and jump. */
function scriptedClock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v), advance: (d: number) => (t += d) };
}

const hlcArb = fc.record({
  wall: fc.integer({ min: 0, max: 36 ** 9 - 1 }),
  counter: fc.integer({ min: 0, max: MAX_COUNTER }),
  node: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
});

describe('HybridClock', () => {
  it('issues strictly increasing timestamps per node, whatever the physical clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 300 }), (steps) => {
        const phys = scriptedClock(1_700_000_000_000);
        const clock = new HybridClock('a', { physicalNow: phys.now });
        let last = clock.now();
        for (const step of steps) {
          phys.advance(step);
          const next = clock.now();
          expect(compareHlc(next, last)).to.equal(1);
          // The logical time never falls below physical time.
          expect(next.wall).to.be.at.least(phys.now());
          last = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('orders causally related events: send happens-before receive implies a smaller timestamp', () => {
    type Op = { kind: 'local'; node: number; step: number } | { kind: 'send'; from: number; to: number; step: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('local' as const), node: fc.nat(2), step: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ kind: fc.constant('send' as const), from: fc.nat(2), to: fc.nat(2), step: fc.integer({ min: -50, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 3, maxLength: 3 }), fc.array(op, { maxLength: 200 }), (skews, ops) => {
        let base = 1_700_000_000_000;
        const clocks = NODES.map((n, i) => new HybridClock(n, { physicalNow: () => base + skews[i]!, maxOffsetMs: 1_000 }));
        // Each node's latest event: every later event on that node, and every receive of a message
        // sent after it, must be greater (transitivity of happens-before).
        for (const o of ops) {
          base += o.step;
          if (o.kind === 'local') {
            clocks[o.node]!.now();
          } else {
            const sent = clocks[o.from]!.now();
            const received = clocks[o.to]!.update(sent);
            expect(compareHlc(sent, received)).to.equal(-1);
            expect(received.wall).to.be.at.least(base + skews[o.to]!);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('masks a backward wall-clock step', () => {
    const phys = scriptedClock(1_000_000);
    const clock = new HybridClock('a', { physicalNow: phys.now });
    const before = clock.now();
    phys.set(900_000);
    const after = clock.now();
    expect(after.wall).to.equal(before.wall);
    expect(after.counter).to.equal(before.counter + 1);
  });

  it('keeps the logical counter bounded by moving the wall forward', () => {
    const clock = new HybridClock('a', { physicalNow: () => 5_000 });
    let last: Hlc = clock.now();
    for (let i = 0; i < MAX_COUNTER + 10; i++) last = clock.now();
    expect(last.counter).to.be.at.most(MAX_COUNTER);
    expect(last.wall).to.equal(5_001);
  });

  it('rejects a remote timestamp too far ahead with a clear error, and keeps its own clock', () => {
    const clock = new HybridClock('a', { physicalNow: () => 10_000 });
    const before = clock.now();
    let error: unknown;
    try {
      clock.update({ wall: 10_000 + 501, counter: 0, node: 'b' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ClockSkewError);
    expect((error as ClockSkewError).message).to.match(/501 ms ahead/);
    expect(clock.peek()).to.deep.equal(before);
    // Exactly at the limit is accepted.
    expect(clock.update({ wall: 10_500, counter: 3, node: 'b' })).to.deep.equal({ wall: 10_500, counter: 4, node: 'a' });
  });

  it('takes a configurable maximum offset', () => {
    const clock = new HybridClock('a', { physicalNow: () => 0, maxOffsetMs: 50 });
    expect(() => clock.update({ wall: 51, counter: 0, node: 'b' })).to.throw(ClockSkewError);
  });

  it('encodes compactly and round-trips, and the encoding sorts like compareHlc', () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, (a, b) => {
        expect(decodeHlc(encodeHlc(a))).to.deep.equal(a);
        const byText = encodeHlc(a) < encodeHlc(b) ? -1 : encodeHlc(a) > encodeHlc(b) ? 1 : 0;
        expect(byText).to.equal(compareHlc(a, b));
      }),
      { numRuns: 500 },
    );
    expect(encodeHlc({ wall: 1_700_000_000_000, counter: 2, node: 'n1' })).to.have.length(15);
  });

  it('rejects malformed encodings and node ids', () => {
    for (const bad of ['', 'zz', 42, null, '0000000000000', '00000000000000/x']) {
      expect(() => decodeHlc(bad)).to.throw(ValidationError);
    }
    expect(() => new HybridClock('has space')).to.throw(ValidationError, /Node id/);
    expect(() => new HybridClock('')).to.throw(ValidationError);
  });
});
