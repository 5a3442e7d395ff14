/**
 * Sample traffic for the UI demo page, the screenshots and the UI bench: fused tracks, raw
 * radar and EO plots, friendly assets and approval requests over the Baltic, moved by dead
 * reckoning. Seeded, so every run draws the same picture. Not the pipeline (issue 4): this
 * only has to look and move like its output.
 */
import { SeededRandom } from '../../src/workers/random.js';
import { ApprovalDesk, type Components, type EntityStore, type ThreatLevel } from '../../src/crdt/index.js';

/** Seeded uniform draws in [0, 1) for sample data (the pipeline's generator). */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

const KN = 0.514444;
const M_PER_DEG = 111_320;

export interface ScenarioOptions {
  readonly tracks: number;
  readonly seed?: number;
  readonly center?: { lat: number; lon: number };
  /** Half-size of the area in degrees of latitude. */
  readonly spanDeg?: number;
  readonly assets?: number;
}

interface Mover {
  readonly id: string;
  lat: number;
  lon: number;
  speed: number;
  heading: number;
  readonly hasVelocity: boolean;
  /** Offset of this track's 1 Hz update within the second, ms. */
  readonly phase: number;
  lastWrite: number;
}

export function classify(speedMps: number): { label: string; confidence: number; threat: ThreatLevel } {
  const kn = speedMps / KN;
  if (kn < 150) return { label: 'civil aircraft', confidence: 0.82, threat: 'none' };
  if (kn < 300) return { label: 'aircraft', confidence: 0.7, threat: 'low' };
  if (kn < 350) return { label: 'fast aircraft', confidence: 0.64, threat: 'medium' };
  return { label: 'military jet', confidence: 0.77, threat: 'high' };
}

/** Creates the entities of a scenario in `store` and returns a traffic generator that moves them. */
export function populate(store: EntityStore, options: ScenarioOptions): Traffic {
  const rand = seededRandom(options.seed ?? 7);
  const center = options.center ?? { lat: 57.4, lon: 19.4 };
  const span = options.spanDeg ?? 2.2;
  const movers: Mover[] = [];
  store.transact(() => {
    for (let i = 0; i < options.tracks; i++) {
      const lat = center.lat + (rand() * 2 - 1) * span;
      const lon = center.lon + ((rand() * 2 - 1) * span * 2) / Math.cos((center.lat * Math.PI) / 180);
      // Mostly slower traffic, a few fast movers: threats stand out as they would.
      const speed = (100 + Math.pow(rand(), 1.8) * 400) * KN;
      const heading = rand() * 360;
      const roll = rand();
      const id = `trk-${String(i).padStart(4, '0')}`;
      const c = classify(speed);
      const affRoll = rand();
      const affiliation = affRoll < 0.62 ? 'unknown' : affRoll < 0.77 ? 'neutral' : affRoll < 0.9 ? 'hostile' : 'friend';
      const position = { lat, lon, alt: Math.round(1000 + rand() * 9000) };
      let components: Components;
      let hasVelocity = true;
      if (roll < 0.6) {
        const major = 150 + rand() * 1200;
        components = {
          position,
          velocity: { speed, heading },
          classification: { label: c.label, confidence: c.confidence },
          threat: { level: c.threat },
          affiliation: { value: affiliation },
          source: { sensorId: 'fusion', sensorType: 'fused' },
          fusion: {
            sourceIds: [`radar-1.${i}`, `eo-2.${i}`],
            confidence: 0.6 + rand() * 0.39,
            errorMajorM: major,
            errorMinorM: major * (0.3 + rand() * 0.6),
            errorOrientationDeg: rand() * 180,
          },
        };
      } else if (roll < 0.88) {
        hasVelocity = false;
        components = { position, source: { sensorId: 'radar-1', sensorType: 'radar' }, affiliation: { value: 'unknown' } };
      } else {
        components = { position, velocity: { speed, heading }, source: { sensorId: 'eo-2', sensorType: 'eo' }, affiliation: { value: 'unknown' } };
      }
      store.create(id, 'track', components);
      movers.push({ id, lat, lon, speed, heading, hasVelocity, phase: rand() * 1000, lastWrite: 0 });
    }
    const bases = [
      { name: 'visby', lat: 57.66, lon: 18.35 },
      { name: 'kalmar', lat: 56.69, lon: 16.29 },
      { name: 'ronneby', lat: 56.27, lon: 15.26 },
    ];
    for (let i = 0; i < (options.assets ?? 4); i++) {
      const base = bases[i % bases.length]!;
      const airborne = i % 2 === 1;
      const lat = base.lat + (airborne ? 0.3 : 0);
      const lon = base.lon + (airborne ? 0.6 : 0);
      const speed = airborne ? 230 : 0;
      const heading = 70;
      const id = `asset-${base.name}-${i}`;
      store.create(id, 'asset', {
        position: { lat, lon, alt: airborne ? 6000 : 40 },
        velocity: { speed, heading },
        classification: { label: 'interceptor', confidence: 1 },
        affiliation: { value: 'friend' },
        source: { sensorId: 'blue-force', sensorType: 'external' },
        taskCatalog: ['identify', 'intercept', 'monitor'],
      });
      movers.push({ id, lat, lon, speed, heading, hasVelocity: true, phase: rand() * 1000, lastWrite: 0 });
    }
  });
  return new Traffic(store, movers, seededRandom((options.seed ?? 7) + 1));
}

export class Traffic {
  constructor(
    private readonly store: EntityStore,
    private readonly movers: Mover[],
    private readonly rand: () => number,
  ) {}

  get count(): number {
    return this.movers.length;
  }

  /**
   * Writes every track whose 1 Hz update is due at `now` (ms), all in one batch; each track is
   * written once a second at its own phase, as independent sensors would. Returns how many.
   */
  step(now: number): number {
    let written = 0;
    this.store.transact(() => {
      for (const m of this.movers) {
        const due = m.lastWrite === 0 ? now >= Math.floor(now / 1000) * 1000 + m.phase : now - m.lastWrite >= 1000;
        if (!due || !this.store.has(m.id)) continue;
        const dt = m.lastWrite === 0 ? 1 : (now - m.lastWrite) / 1000;
        m.lastWrite = now;
        if (m.speed === 0) continue;
        if (this.rand() < 0.02) m.heading = (m.heading + (this.rand() * 60 - 30) + 360) % 360;
        const rad = (m.heading * Math.PI) / 180;
        m.lat += (m.speed * Math.cos(rad) * dt) / M_PER_DEG;
        m.lon += (m.speed * Math.sin(rad) * dt) / (M_PER_DEG * Math.cos((m.lat * Math.PI) / 180));
        this.store.update(m.id, {
          position: { lat: m.lat, lon: m.lon, alt: this.store.get(m.id)?.components.position?.alt ?? 5000 },
          ...(m.hasVelocity ? { velocity: { speed: m.speed, heading: m.heading } } : {}),
        });
        written++;
      }
    });
    return written;
  }

  /** Opens an approval request on a track, as tasking does for a high threat; returns its id. */
  requestApproval(entityId: string, windowMs: number, tasks = ['intercept']): string {
    return new ApprovalDesk(this.store, () => ({ role: 'operator', name: 'tasking' })).request(entityId, tasks, { timeoutMs: windowMs });
  }
}
