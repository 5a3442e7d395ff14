/**
 * Request churn through the whole pipeline: the hard scenario puts nine targets within 30 kn of
 * the 350 kn edge (four above it, five below), and without hysteresis most of their requests
 * were withdrawn within seconds.
 */
import { expect } from 'chai';
import { fetchBuiltinScenario } from '../../src/workers/builtinScenarios.js';
import { churnOfScenario, countChurn } from '../../src/workers/requestChurn.js';
import { parseScenario } from '../../src/workers/scenario.js';
import { NO_THREAT_HYSTERESIS } from '../../src/workers/threatHysteresis.js';

describe('request churn', () => {
  it('counts a request withdrawn within 30 s, not one withdrawn later or decided', () => {
    const at = (wall: number) => ({ wall, counter: 0, node: 'n' });
    const journal = [
      { entry: { kind: 'request' as const, requestId: 'r1', deadline: 0, tasks: ['intercept'], auto: false }, at: at(1_000) },
      { entry: { kind: 'withdraw' as const, requestId: 'r1', reason: 'threat fell to low' }, at: at(31_000) },
      { entry: { kind: 'request' as const, requestId: 'r2', deadline: 0, tasks: ['intercept'], auto: false }, at: at(40_000) },
      { entry: { kind: 'withdraw' as const, requestId: 'r2', reason: 'threat fell to low' }, at: at(70_001) },
      { entry: { kind: 'request' as const, requestId: 'r3', deadline: 0, tasks: ['intercept'], auto: false }, at: at(80_000) },
      { entry: { kind: 'decision' as const, requestId: 'r3', verdict: 'deny' as const, operator: 'alice' }, at: at(81_000) },
    ];
    expect(countChurn([journal])).to.deep.equal({ requests: 3, churned: 1 });
  });

  it('is a small fraction of what it was without hysteresis on the hard scenario, and every fast target is still asked about', async () => {
    const hard = parseScenario(await fetchBuiltinScenario('hard'));
    const before = churnOfScenario(hard, { threatHysteresis: NO_THREAT_HYSTERESIS });
    const after = churnOfScenario(hard);
    expect(before.churned, 'the scenario does churn without hysteresis').to.be.at.least(10);
    expect(after.churned).to.be.at.most(before.churned / 5);
    // Four targets fly at 360–420 kn.
    expect(after.requests).to.be.at.least(4);
  });
});
