/** The CoT codec and the mapping on real TAK messages; round trips both ways; hostile input. */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, ValidationError } from '../../../src/crdt/index.js';
import { admitCot, buildCot, buildCotEvent, cotToEntity, entityToCot, parseCot } from '../../../src/peer/tak/index.js';
import { ATAK_PLI, ATAK_PLI_MOVING, BAD_COT, GEOCHAT, HOSTILE_AIR, HOSTILE_AIR_UNNAMED, ITAK_PLI, SPOT_MARKER, WINTAK_PLI } from './cotSamples.js';

const at = (iso: string) => Date.parse(iso);
const fresh = () => new EntityStore(new Y.Doc(), { node: 'tak-test' });

describe('CoT codec', () => {
  it('reads an ATAK position report: uid, type, how, times, point with errors, callsign, track', () => {
    const [e] = parseCot(ATAK_PLI);
    expect(e).to.deep.include({ uid: 'ANDROID-351811095448994', type: 'a-f-G-U-C', how: 'h-e', callsign: 'C0rv0', remarks: undefined, lattice: undefined });
    expect(e!.time).to.equal(at('2020-02-09T13:20:43.051Z'));
    expect(e!.stale).to.equal(at('2020-02-09T13:26:58.051Z'));
    expect(e!.point).to.deep.equal({ lat: 43.967473, lon: -66.126041, hae: 41.86958281560347, ce: 242.2, le: undefined });
    expect(e!.track).to.deep.equal({ course: 278.424048280084, speed: 0 });
  });

  it('reads iTAK, WinTAK, a spot marker (repeated <archive/>, unknown hae) and a capture of several events', () => {
    expect(parseCot(ITAK_PLI)[0]).to.deep.include({ type: 'a-f-G-E-V-C', callsign: 'DFPC-iSchmidt' });
    expect(parseCot(WINTAK_PLI)[0]).to.deep.include({ type: 'a-f-G-U-C-I', callsign: 'NOAH' });
    const [spot] = parseCot(SPOT_MARKER);
    expect(spot).to.deep.include({ type: 'b-m-p-s-m', callsign: 'R 1', remarks: undefined });
    expect(spot!.point.hae).to.equal(undefined);
    const all = parseCot([ATAK_PLI, ATAK_PLI_MOVING, SPOT_MARKER, HOSTILE_AIR].join('\n'));
    expect(all.map((e) => e.uid)).to.deep.equal(['ANDROID-351811095448994', 'ANDROID-7C:91:22:E8:6E:4D', '9405e320-9356-41c4-8449-f46990aa17f8', 'TRK-7f3a9c']);
  });

  it('writes what it reads: build → parse gives the same event, with text escaped', () => {
    for (const sample of [ATAK_PLI, SPOT_MARKER, HOSTILE_AIR]) {
      const [e] = parseCot(sample);
      expect(parseCot(buildCotEvent(e!))[0]).to.deep.equal(e);
    }
    const [e] = parseCot(HOSTILE_AIR);
    const tricky = { ...e!, callsign: 'A <"&"> B', remarks: 'x < y & z > "w"' };
    expect(parseCot(buildCot([tricky, tricky]))).to.deep.equal([tricky, tricky]);
  });
});

describe('CoT mapping', () => {
  it('an ATAK PLI becomes a friendly track named by its callsign, moving as its track says', () => {
    const entity = cotToEntity(parseCot(ATAK_PLI_MOVING)[0]!);
    expect(entity).to.deep.include({ id: 'ANDROID-7C:91:22:E8:6E:4D', type: 'track' });
    expect(entity.components).to.deep.equal({
      affiliation: { value: 'friend' },
      position: { lat: 43.855701, lon: -66.108093, alt: 14.495629236665277 },
      velocity: { speed: 0, heading: 264.31458179841906 },
      classification: { label: 'ghosty', confidence: 1 },
    });
  });

  it('a hostile a-h-A-M-F is a hostile track; without a callsign its class comes from its type and goes back out', () => {
    expect(cotToEntity(parseCot(HOSTILE_AIR)[0]!).components).to.deep.include({ affiliation: { value: 'hostile' }, classification: { label: 'BANDIT 1', confidence: 1 } });
    const unnamed = cotToEntity(parseCot(HOSTILE_AIR_UNNAMED)[0]!);
    expect(unnamed.components.classification).to.deep.equal({ label: 'military', confidence: 1 });
    const store = fresh();
    admitCot(store, parseCot(HOSTILE_AIR_UNNAMED), at('2024-05-01T12:00:30Z'));
    expect(entityToCot(store.get('TRK-7f3a9d')!, { now: at('2024-05-01T12:01:00Z') }).type).to.equal('a-h-A-M-F');
  });

  it('a spot marker becomes a geo point named by its callsign; unknown hae is altitude 0', () => {
    const entity = cotToEntity(parseCot(SPOT_MARKER)[0]!);
    expect(entity).to.deep.include({ id: '9405e320-9356-41c4-8449-f46990aa17f8', type: 'geo' });
    expect(entity.components).to.deep.equal({ position: { lat: 38.85606343062312, lon: -77.0563755018233, alt: 0 }, classification: { label: 'R 1', confidence: 1 } });
  });

  it('suspect (a-s-…) arrives as unknown at medium threat, and an unknown medium threat leaves as suspect', () => {
    const suspect = HOSTILE_AIR.replace('a-h-A-M-F', 'a-s-A');
    expect(cotToEntity(parseCot(suspect)[0]!).components).to.deep.include({ affiliation: { value: 'unknown' }, threat: { level: 'medium' } });
    const store = fresh();
    store.create('t1', 'track', { position: { lat: 1, lon: 2, alt: 3 }, threat: { level: 'high' } });
    expect(entityToCot(store.get('t1')!, { now: 0 }).type).to.equal('a-s-A');
  });

  it('approval and task state leave in <remarks> and <__lattice approval>, and are never admitted', () => {
    const store = fresh();
    store.create('a1', 'asset', { position: { lat: 1, lon: 2, alt: 3 } });
    const event = entityToCot(store.get('a1')!, {
      now: 1_000,
      approval: { state: 'pending', tasks: ['intercept'], deadline: 31_000 },
      tasks: [{ kind: 'intercept', targetId: 'trk-9', status: 'executing' }],
    });
    expect(event.remarks).to.equal('Approval pending for intercept (deadline 1970-01-01T00:00:31.000Z). Task intercept of trk-9: executing.');
    expect(event.lattice).to.deep.equal({ entity: 'asset', components: undefined, approval: 'pending' });
    expect(event.type).to.equal('a-f-A');
    const back = parseCot(buildCotEvent(event))[0]!;
    expect(cotToEntity(back).components).to.not.have.any.keys('approval', 'task', 'taskCatalog');
  });
});

describe('CoT admission', () => {
  const now = at('2020-02-09T13:22:00Z');

  it('admits real TAK messages through the store, all in one batch', () => {
    const store = fresh();
    let batches = 0;
    store.on('appended', () => batches++);
    const result = admitCot(store, parseCot([ATAK_PLI, ATAK_PLI_MOVING].join('')), now);
    expect(result.created).to.deep.equal(['ANDROID-351811095448994', 'ANDROID-7C:91:22:E8:6E:4D']);
    expect(batches).to.equal(1);
    expect(store.get('ANDROID-351811095448994')!.components.classification!.label).to.equal('C0rv0');
  });

  it('skips stale events, keeps the latest of several for one uid, and lets no older event overwrite the picture', () => {
    const store = fresh();
    const later = ATAK_PLI.replace(/2020-02-09T13:20:43.051Z/g, '2020-02-09T13:21:43.051Z').replace('lat="43.967473"', 'lat="43.9"');
    const result = admitCot(store, parseCot(later + ATAK_PLI), now);
    expect(result).to.deep.include({ created: ['ANDROID-351811095448994'], superseded: ['ANDROID-351811095448994'] });
    expect(store.get('ANDROID-351811095448994')!.components.position!.lat).to.equal(43.9);
    // The store wrote it after 13:21:43 (its clock is now): an event of 13:20:43 is older.
    expect(admitCot(store, parseCot(ATAK_PLI), now).older).to.deep.equal(['ANDROID-351811095448994']);
    expect(admitCot(fresh(), parseCot(ATAK_PLI), at('2020-02-09T13:30:00Z')).stale).to.deep.equal(['ANDROID-351811095448994']);
  });

  it('updates an entity it holds when the event is newer', () => {
    const store = fresh();
    const t0 = Date.now();
    const event = { ...parseCot(HOSTILE_AIR)[0]!, time: t0 - 60_000, start: t0 - 60_000, stale: t0 + 60_000 };
    admitCot(store, [event], t0);
    const moved = { ...event, time: t0 + 1_000, point: { ...event.point, lat: 52 } };
    expect(admitCot(store, [moved], t0).updated).to.deep.equal(['TRK-7f3a9c']);
    expect(store.get('TRK-7f3a9c')!.components.position!.lat).to.equal(52);
  });

  it('refuses an event for a uid that is another type here, and writes nothing of the batch', () => {
    const store = fresh();
    store.create('9405e320-9356-41c4-8449-f46990aa17f8', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    const digest = store.digest();
    expect(() => admitCot(store, parseCot(ATAK_PLI + SPOT_MARKER), at('2020-12-16T20:00:00Z'))).to.throw(ValidationError, /CoT event 2 .* describes a geo, but .* is a track/);
    expect(store.digest()).to.equal(digest);
  });

  describe('refuses malformed and hostile CoT with a ValidationError, writing nothing', () => {
    for (const [name, text] of BAD_COT) {
      it(name, () => {
        const doc = new Y.Doc();
        const store = new EntityStore(doc, { node: 'tak-test' });
        store.create('keep', 'geo', { position: { lat: 1, lon: 1, alt: 0 } });
        const before = Y.encodeStateAsUpdate(doc);
        let error: unknown;
        try {
          admitCot(store, parseCot(text), at('2024-05-01T12:00:30Z'));
        } catch (e) {
          error = e;
        }
        expect(error, `${name} was admitted`).to.be.instanceOf(ValidationError);
        expect((error as Error).message.length).to.be.greaterThan(10);
        expect(Y.encodeStateAsUpdate(doc)).to.deep.equal(before);
      });
    }
    it('GeoChat says what it is', () => {
      expect(() => admitCot(fresh(), parseCot(GEOCHAT), at('2020-12-16T20:00:00Z'))).to.throw(ValidationError, /GeoChat message/);
    });
    it('a document type declaration says why it is refused', () => {
      expect(() => parseCot(BAD_COT.find(([n]) => n === 'billion laughs')![1])).to.throw(ValidationError, /entity-expansion attacks/);
    });
    it('text too large is refused before it is parsed', () => {
      expect(() => parseCot(' '.repeat(9 * 1024 * 1024))).to.throw(ValidationError, /at most 8,388,608/);
    });
  });
});
