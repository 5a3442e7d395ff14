import { expect } from 'chai';
import { fetchBuiltinScenario } from '../../src/workers/builtinScenarios.js';
import { classify, closestApproach } from '../../src/workers/classify.js';
import { KNOT, offset } from '../../src/workers/geo.js';
import { gospa } from '../../src/workers/gospa.js';
import { parseScenario } from '../../src/workers/scenario.js';
import { scoreScenario } from '../../src/workers/score.js';

const at = { lat: 52, lon: 4, alt: 0 };

describe('GOSPA (hand-checked)', () => {
  it('splits into localisation, missed and false parts', () => {
    // One estimate 100 m from the first target; the second target missed; one estimate 5 km off.
    const truth = [at, offset(at, 20_000, 0)];
    const estimates = [offset(at, 0, 100), offset(at, -5_000, 0)];
    const g = gospa(truth, estimates);
    expect(g.missed).to.equal(1);
    expect(g.false).to.equal(1);
    expect(g.localisation).to.be.closeTo(100 ** 2, 1);
    expect(g.gospa).to.be.closeTo(Math.sqrt(100 ** 2 + (1000 ** 2 / 2) * 2), 0.1);
    expect(gospa([], []).gospa).to.equal(0);
    expect(gospa(truth, []).gospa).to.be.closeTo(1000, 1e-9); // sqrt(2 · c²/2)
  });

  it('picks the optimal pairing', () => {
    const truth = [at, offset(at, 600, 0)];
    const estimates = [offset(at, 300, 0), offset(at, 900, 0)];
    // Pairing in order: 300² + 300²; the crossed pairing would be 300² + 900² ≥ c² for one pair.
    expect(gospa(truth, estimates).localisation).to.be.closeTo(2 * 300 ** 2, 5);
  });
});

describe('scenario score', () => {
  it('is computed for the hard scenario and bounded', async () => {
    const scenario = parseScenario(await fetchBuiltinScenario('hard'));
    const s = scoreScenario(scenario, {}, scenario.seed, 120);
    expect(s.steps).to.equal(120);
    expect(s.targets).to.be.greaterThan(15);
    // Bounded above by "every target missed and no track at all": sqrt(n · c²/2).
    expect(s.gospa).to.be.above(0);
    expect(s.gospa).to.be.below(Math.sqrt(s.targets * 500_000));
    // Far better than that bound once tracks are up: fewer than one target missed on average.
    expect(s.missed).to.be.below(1.5);
    expect(s.false).to.be.below(1);
  });

  it('is better with global assignment than with plain nearest neighbour on the hard scenario', async () => {
    const scenario = parseScenario(await fetchBuiltinScenario('hard'));
    const global = scoreScenario(scenario, { association: 'global' }, scenario.seed, 300);
    const nearest = scoreScenario(scenario, { association: 'nearest' }, scenario.seed, 300);
    expect(global.gospa).to.be.below(nearest.gospa);
    expect(global.false).to.be.below(nearest.false);
  });
});

describe('classification', () => {
  const k = (kn: number, headingDeg = 90, x = -50_000, y = 0) => ({ x, y, vx: kn * KNOT * Math.sin((headingDeg * Math.PI) / 180), vy: kn * KNOT * Math.cos((headingDeg * Math.PI) / 180), speedVar: 4 });

  it('follows the speed bands', () => {
    expect(classify(k(120), [])).to.deep.include({ threat: { level: 'none' } });
    expect(classify(k(120), []).classification.label).to.equal('civilian');
    expect(classify(k(250), []).classification.label).to.equal('aircraft');
    expect(classify(k(250), []).threat.level).to.equal('low');
    expect(classify(k(450), []).classification.label).to.equal('military');
    expect(classify(k(450), []).threat.level).to.equal('high');
  });

  it('raises an aircraft closing on a friendly asset to medium', () => {
    // Heading east straight at an asset 50 km away at 250 kn: there in about 6.5 minutes.
    expect(classify(k(250, 90), [{ x: 0, y: 0 }]).threat.level).to.equal('medium');
    // Heading away from it: low.
    expect(classify(k(250, 270), [{ x: 0, y: 0 }]).threat.level).to.equal('low');
    expect(closestApproach(k(250, 0), 0, 0).distance).to.be.closeTo(50_000, 1e-6);
  });

  it('is less confident near a band edge', () => {
    const edge = classify({ ...k(151), speedVar: 100 }, []).classification.confidence;
    const middle = classify({ ...k(250), speedVar: 100 }, []).classification.confidence;
    expect(edge).to.be.below(0.8);
    expect(middle).to.be.above(0.99);
  });
});
