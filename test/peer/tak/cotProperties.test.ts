/**
 * Properties of the CoT mapping: any entity the store holds leaves as CoT and comes back the
 * same (what the mapping claims to keep), and no text whatever makes the import throw anything
 * but a ValidationError or write anything when it refuses.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { AFFILIATIONS, EntityStore, LatticeError, SENSOR_TYPES, THREAT_LEVELS, ValidationError, type Components } from '../../../src/crdt/index.js';
import { admitCot, buildCot, entityToCot, parseCot } from '../../../src/peer/tak/index.js';
import { ATAK_PLI, HOSTILE_AIR, SPOT_MARKER } from './cotSamples.js';

// XML 1.0 cannot carry control characters, so names are drawn from printable text.
const printable = fc.string({ minLength: 1, maxLength: 32, unit: fc.oneof(fc.constantFrom(...' abcXYZ019-_.<>&"\'éß€'.split('')), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })) }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/).filter((s) => s !== 'room');

const components: fc.Arbitrary<Components> = fc.record(
  {
    position: fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }), alt: fc.double({ min: -12_000, max: 1_000_000, noNaN: true }) }),
    velocity: fc.record({ speed: fc.double({ min: 0, max: 3_000, noNaN: true }), heading: fc.double({ min: 0, max: 359.99, noNaN: true }) }),
    classification: fc.record({ label: printable, confidence: fc.double({ min: 0, max: 1, noNaN: true }) }),
    threat: fc.record({ level: fc.constantFrom(...THREAT_LEVELS) }),
    affiliation: fc.record({ value: fc.constantFrom(...AFFILIATIONS) }),
    source: fc.record({ sensorId: id, sensorType: fc.constantFrom(...SENSOR_TYPES) }),
    fusion: fc.record({
      sourceIds: fc.array(id, { minLength: 1, maxLength: 4 }),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      errorMajorM: fc.double({ min: 0, max: 100_000, noNaN: true }),
      errorMinorM: fc.double({ min: 0, max: 100_000, noNaN: true }),
      errorOrientationDeg: fc.double({ min: 0, max: 179, noNaN: true }),
    }),
  },
  { requiredKeys: ['position'] },
);

const fresh = () => new EntityStore(new Y.Doc(), { node: 'prop' });

describe('CoT mapping properties', () => {
  it('any track, asset or geo point round-trips entity → CoT → entity', () => {
    fc.assert(
      fc.property(id, fc.constantFrom('track' as const, 'asset' as const, 'geo' as const), components, (entityId, type, values) => {
        const a = fresh();
        a.create(entityId, type, values);
        const view = a.get(entityId)!;
        const now = Date.now();
        const text = buildCot([entityToCot(view, { now })]);
        const b = fresh();
        const result = admitCot(b, parseCot(text), now);
        expect(result.created).to.deep.equal([entityId]);
        const back = b.get(entityId)!;
        expect(back.type).to.equal(type);
        // An atom always says its affiliation: an entity without one gets its type's default.
        const expected = { ...view.components };
        if (type !== 'geo' && !expected.affiliation) expected.affiliation = { value: type === 'asset' ? 'friend' : 'unknown' };
        // Through JSON: the store may hold -0 where CoT's text says 0.
        const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
        expect(plain(back.components)).to.deep.equal(plain(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('any CoT built from an admitted event round-trips CoT → entity → CoT on what the table keeps', () => {
    for (const sample of [ATAK_PLI, HOSTILE_AIR, SPOT_MARKER]) {
      const [event] = parseCot(sample);
      const now = event!.time;
      const store = fresh();
      admitCot(store, [event!], now);
      const out = entityToCot(store.get(event!.uid)!, { now });
      expect(out.uid).to.equal(event!.uid);
      expect(out.callsign).to.equal(event!.callsign);
      expect(out.point.lat).to.be.closeTo(event!.point.lat, 1e-6);
      expect(out.point.lon).to.be.closeTo(event!.point.lon, 1e-6);
      expect(out.point.hae ?? 0).to.be.closeTo(event!.point.hae ?? 0, 0.5);
      // Affiliation and atom-or-point survive; the function of a named atom does not (docs/tak.md).
      expect(out.type.slice(0, 3)).to.equal(event!.type.slice(0, 3));
      if (event!.track) {
        expect(out.track!.speed).to.be.closeTo(event!.track.speed, 0.005);
        expect(out.track!.course).to.be.closeTo(event!.track.course % 360, 0.005);
      }
    }
  });

  function refusesCleanly(text: string): void {
    const doc = new Y.Doc();
    const store = new EntityStore(doc, { node: 'prop' });
    store.create('keep', 'geo', { position: { lat: 1, lon: 1, alt: 0 } });
    const before = Y.encodeStateAsUpdate(doc);
    try {
      admitCot(store, parseCot(text), Date.parse('2020-02-09T13:21:00Z'));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      expect(Y.encodeStateAsUpdate(doc)).to.deep.equal(before);
      return;
    }
    // Admitted: it must have been a valid event after all, written through the store.
    expect(store.size).to.be.greaterThan(1);
  }

  it('arbitrary strings never throw anything but ValidationError, and a refusal writes nothing', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), refusesCleanly), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom(...'<>/="\' &;!?[]-aeptvx01'.split('')) }), refusesCleanly), { numRuns: 500 });
  });

  it('real messages with random damage never throw anything but ValidationError', () => {
    const damaged = fc.tuple(fc.constantFrom<string>(ATAK_PLI, HOSTILE_AIR, SPOT_MARKER), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 })).map(([text, edits]) =>
      edits.reduce((t: string, [at, cut, insert]) => {
        const i = at % (t.length + 1);
        return t.slice(0, i) + insert + t.slice(i + cut);
      }, text),
    );
    fc.assert(
      fc.property(damaged, (text) => {
        try {
          refusesCleanly(text);
        } catch (error) {
          if (error instanceof LatticeError && !(error instanceof ValidationError)) throw new Error(`${error.name}: ${error.message}`);
          throw error;
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
