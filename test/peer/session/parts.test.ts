/** Messages larger than a link takes go as ordered parts; a peer's parts are checked, never trusted. */
import { expect } from 'chai';
import fc from 'fast-check';
import { PartAssembler, splitIntoParts } from '../../../src/peer/session/parts.js';
import { routeIn, topologyOf } from '../../../src/peer/topology.js';

describe('parts', () => {
  it('property: any message split at any size reassembles to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.integer({ min: 128, max: 2048 }), (message, size) => {
        const parts = splitIntoParts(message, size);
        expect(parts.every((p) => p.byteLength <= Math.max(size, 128))).to.equal(true);
        const assembler = new PartAssembler();
        const results = parts.map((p) => assembler.receive(p));
        expect(results.slice(0, -1).every((r) => r === null)).to.equal(true);
        expect(Array.from(results.at(-1)!)).to.deep.equal(Array.from(message));
      }),
      { numRuns: 300, examples: [[Uint8Array.of(5, 0), 128], [Uint8Array.of(5), 128], [Uint8Array.of(5, 2, 0, 1), 4096]] },
    );
  });

  it('refuses parts out of order, a message cut short and absurd part counts, then reads the next message', () => {
    const parts = splitIntoParts(new Uint8Array(1000).fill(7), 200);
    const a = new PartAssembler();
    a.receive(parts[0]!);
    expect(() => a.receive(parts[2]!)).to.throw(/out of order/);
    a.receive(parts[0]!);
    expect(() => a.receive(Uint8Array.of(0, 1, 2))).to.throw(/middle/);
    expect(() => a.receive(Uint8Array.of(5, 0x80, 0x80, 0x80, 0x80, 0x04, 0, 1))).to.throw(/limit/);
    expect(Array.from(a.receive(Uint8Array.of(0, 1, 2))!)).to.deep.equal([0, 1, 2]);
  });
});

describe('topology', () => {
  it('draws each link once from what nodes claim, and finds the shortest route', () => {
    const t = topologyOf({
      self: { nodeId: 'a', name: 'A', peerId: 'pa', links: ['pb'] },
      others: [
        { nodeId: 'b', name: 'B', peerId: 'pb', links: ['pa', 'pc'] },
        { nodeId: 'c', name: 'C', peerId: 'pc', links: ['pb', 'unknown'] },
        { nodeId: 'd', name: 'D', peerId: 'pd', links: [] },
      ],
    });
    expect(t.edges).to.deep.equal([['a', 'b'], ['b', 'c']]);
    expect(routeIn(t, 'a', 'c')).to.deep.equal(['a', 'b', 'c']);
    expect(routeIn(t, 'a', 'd')).to.equal(undefined);
    expect(routeIn(t, 'a', 'a')).to.deep.equal(['a']);
  });
});
