import { expect } from 'chai';
import { assignGlobal, assignNearest, type GatedPair } from '../../src/workers/association.js';

describe('association (hand-checked)', () => {
  // Track 0 is slightly closer to observation 0, but track 1 can only take observation 0:
  // greedy or nearest-neighbour gives both tracks observation 0; the optimum crosses over.
  const pairs: GatedPair[] = [
    { track: 0, obs: 0, cost: 1 },
    { track: 0, obs: 1, cost: 2 },
    { track: 1, obs: 0, cost: 1.5 },
    { track: 1, obs: 1, cost: 10 },
  ];

  it('global assignment minimises the total cost, one observation per track', () => {
    expect([...assignGlobal(2, 2, pairs, [100, 100])]).to.deep.equal([1, 0]); // 2 + 1.5 < 1 + 10
  });

  it('plain nearest neighbour lets two tracks take the same observation', () => {
    expect([...assignNearest(2, pairs)]).to.deep.equal([0, 0]);
  });

  it('leaves a track unassigned when that is cheaper than the pair', () => {
    // Track 1 would rather miss (cost 1) than take observation 1 (cost 10) after track 0 takes 0.
    expect([...assignGlobal(2, 2, [{ track: 0, obs: 0, cost: 1 }, { track: 1, obs: 1, cost: 10 }], [100, 1])]).to.deep.equal([0, -1]);
  });

  it('solves independent clusters separately and correctly', () => {
    const many: GatedPair[] = [];
    // Three copies of the crossing problem on disjoint tracks and observations.
    for (let k = 0; k < 3; k++) for (const p of pairs) many.push({ track: p.track + 2 * k, obs: p.obs + 2 * k, cost: p.cost });
    expect([...assignGlobal(6, 6, many, new Array(6).fill(100))]).to.deep.equal([1, 0, 3, 2, 5, 4]);
  });
});
