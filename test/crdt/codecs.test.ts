/**
 * Every value a register accepts must encode to a payload every node decodes, and decode to a
 * fixed point: the store does not decode its own writes as it makes them (the index decodes
 * on first read), so this property is what keeps a node's writes readable by its peers.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { REGISTERS, REGISTER_NAMES, type RegisterName, type RegisterSpec } from '../../src/crdt/components.js';

const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
const text = fc.string({ minLength: 1, maxLength: 64 });
/** Numbers around and a little beyond a range, with its edges. */
const around = (min: number, max: number) =>
  fc.oneof(fc.double({ min: min - (max - min) * 0.01, max: max + (max - min) * 0.01, noNaN: true }), fc.constantFrom(min, max, (min + max) / 2, max - 1e-9, min + 1e-9));
const time = fc.oneof(fc.integer({ min: 0, max: 36 ** 9 }), fc.constantFrom(0, 36 ** 9, 1_800_000_000_000));

const inputs: Record<RegisterName, fc.Arbitrary<unknown>> = {
  position: fc.record({ lat: around(-90, 90), lon: around(-180, 180), alt: around(-12_000, 1_000_000) }),
  velocity: fc.record({ speed: around(0, 3_000), heading: around(-360, 720) }),
  classification: fc.record({ label: text, confidence: around(0, 1) }),
  threat: fc.record({ level: fc.constantFrom('none', 'low', 'medium', 'high', 'severe') }),
  affiliation: fc.record({ value: fc.constantFrom('unknown', 'friend', 'neutral', 'hostile', 'ally') }),
  source: fc.record({ sensorId: id, sensorType: fc.constantFrom('eo', 'radar', 'external', 'fused', 'operator', 'sonar') }),
  fusion: fc.record({
    sourceIds: fc.array(id, { minLength: 0, maxLength: 33 }),
    confidence: around(0, 1),
    errorMajorM: around(0, 1_000_000),
    errorMinorM: around(0, 1_000_000),
    errorOrientationDeg: around(-360, 720),
  }),
  approval: fc
    .record({
      requestId: id,
      requestedAt: time,
      window: fc.oneof(fc.integer({ min: -10, max: 2 ** 31 + 10 }), fc.constantFrom(0, 2 ** 31 - 1)),
      tasks: fc.array(id, { maxLength: 33 }),
      requestedBy: id,
    })
    .map(({ window, ...rest }) => ({ ...rest, deadline: rest.requestedAt + window })),
  task: fc.record({
    kind: fc.constantFrom('intercept', 'strike'),
    targetId: id,
    assetId: id,
    requestId: id,
    status: fc.constantFrom('created', 'sent', 'acknowledged', 'executing', 'done_ok', 'done_not_ok', 'cancelled', 'lost'),
  }),
};

describe('register codecs', () => {
  for (const name of REGISTER_NAMES) {
    it(`${name}: every valid value encodes to a payload that decodes, to a fixed point`, () => {
      const spec = REGISTERS[name] as unknown as RegisterSpec<RegisterName>;
      let valid = 0;
      fc.assert(
        fc.property(inputs[name], (input) => {
          let value;
          try {
            value = spec.validate(input);
          } catch {
            return; // refused at the door: never written
          }
          valid++;
          const payload = spec.encode(value);
          const decoded = spec.decode(payload);
          expect(spec.encode(decoded)).to.deep.equal(payload);
          expect(spec.decode(spec.encode(decoded))).to.deep.equal(decoded);
        }),
        { numRuns: 1_000 },
      );
      expect(valid, 'the generator must produce valid values too').to.be.greaterThan(100);
    });
  }
});
