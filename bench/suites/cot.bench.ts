/**
 * CoT intake (issue 18): position reports as ATAK sends them (the PLI form of
 * test/peer/tak/cotSamples.ts: takv, contact, uid, precisionlocation, __group, status, track),
 * 2,000 uids, one capture per round, each parsed and admitted into an entity store
 * (`parseCot` + `admitCot`: XML checks, mapping, the store's validation, one transaction).
 * Baseline in the same run: the same entities and components written straight through the
 * store, which is what admission costs at the least.
 */
import * as Y from 'yjs';
import { EntityStore, type Components } from '../../src/crdt/index.js';
import { admitCot, parseCot } from '../../src/peer/tak/index.js';
import type { BenchFigure } from '../types.js';

const UIDS = 2_000;
const ROUNDS = 10;

function lat(i: number, round: number): number {
  return 43 + (i % 50) * 0.01 + round * 1e-4;
}
function lon(i: number, round: number): number {
  return -66 - Math.floor(i / 50) * 0.01 - round * 1e-4;
}

function capture(round: number, time: number): string {
  const t = new Date(time).toISOString();
  const stale = new Date(time + 6 * 60_000).toISOString();
  const events: string[] = [];
  for (let i = 0; i < UIDS; i++) {
    events.push(
      `<event version="2.0" uid="ANDROID-${i.toString(16).padStart(16, '0')}" type="a-f-G-U-C" time="${t}" start="${t}" stale="${stale}" how="m-g">` +
        `<point lat="${lat(i, round).toFixed(7)}" lon="${lon(i, round).toFixed(7)}" hae="${(40 + (i % 30)).toFixed(3)}" ce="9.0" le="9999999.0"/>` +
        `<detail><takv os="28" version="4.10.0.52-CIV" device="SAMSUNG SM-G950W" platform="ATAK-CIV"/><contact endpoint="*:-1:stcp" callsign="UNIT-${i}"/><uid Droid="UNIT-${i}"/>` +
        `<precisionlocation altsrc="GPS" geopointsrc="GPS"/><__group role="Team Member" name="Cyan"/><status battery="${50 + (i % 50)}"/><track course="${(i * 7) % 360}.5" speed="${(i % 20) / 2}"/></detail></event>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${events.join('\n')}`;
}

const yieldToBrowser = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function cotRate(): Promise<number> {
  const store = new EntityStore(new Y.Doc(), { node: 'bench' });
  let ms = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Dated a little ahead, so that each round is newer than the writes of the one before.
    const text = capture(round, Date.now() + 5_000);
    await yieldToBrowser();
    const t0 = performance.now();
    const result = admitCot(store, parseCot(text), Date.now());
    ms += performance.now() - t0;
    const admitted = result.created.length + result.updated.length;
    if (admitted !== UIDS) throw new Error(`round ${round}: ${admitted} of ${UIDS} events admitted (${JSON.stringify({ ...result, created: result.created.length, updated: result.updated.length })})`);
  }
  return (UIDS * ROUNDS) / (ms / 1000);
}

function directRate(): number {
  const store = new EntityStore(new Y.Doc(), { node: 'bench' });
  const components = (i: number, round: number): Components => ({
    affiliation: { value: 'friend' },
    position: { lat: lat(i, round), lon: lon(i, round), alt: 40 + (i % 30) },
    velocity: { speed: (i % 20) / 2, heading: ((i * 7) % 360) + 0.5 },
    classification: { label: `UNIT-${i}`, confidence: 1 },
  });
  const id = (i: number) => `ANDROID-${i.toString(16).padStart(16, '0')}`;
  const t0 = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    store.transact(() => {
      for (let i = 0; i < UIDS; i++) {
        if (round === 0) store.create(id(i), 'track', components(i, round));
        else store.update(id(i), components(i, round));
      }
    });
  }
  return (UIDS * ROUNDS) / ((performance.now() - t0) / 1000);
}

export default async function run(): Promise<BenchFigure[]> {
  // One warm-up round of each, so both are measured with the JIT settled.
  await cotRate();
  directRate();
  const cot = await cotRate();
  const direct = directRate();
  return [{ key: 'cot.events_per_s', value: cot, unit: 'events/s', goal: '≥ 10000', ok: cot >= 10_000, baseline: { key: 'cot.direct_store_writes_per_s', value: direct } }];
}
