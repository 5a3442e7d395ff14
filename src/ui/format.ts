/** How values read to an operator: short, fixed-width where they tick, UTC times. */
import type { ComponentName, Components, Hlc } from '../crdt/index.js';

const KNOTS_PER_MPS = 1.943844;

/** "4 s", "3 min", "2 h", "5 d": the age of something seen `ms` ago. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${Math.floor(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** "1:05", "0:09"; "0:00" once past. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** UTC clock time with milliseconds, e.g. "14:03:27.118Z". */
export function formatUtc(ms: number, withMs = true): string {
  const iso = new Date(ms).toISOString();
  return withMs ? `${iso.slice(11, 23)}Z` : `${iso.slice(11, 19)}Z`;
}

/** An HLC as wall time and logical counter, e.g. "14:03:27.118Z +2". */
export function formatHlc(t: Hlc): string {
  return t.counter > 0 ? `${formatUtc(t.wall)} +${t.counter}` : formatUtc(t.wall);
}

/** Degrees and decimal minutes, e.g. "57°03.118′N 019°12.440′E". */
export function formatLatLon(lat: number, lon: number): string {
  const part = (v: number, pos: string, neg: string, width: number): string => {
    const a = Math.abs(v);
    const d = Math.floor(a);
    const m = (a - d) * 60;
    return `${String(d).padStart(width, '0')}°${m.toFixed(3).padStart(6, '0')}′${v >= 0 ? pos : neg}`;
  };
  return `${part(lat, 'N', 'S', 2)} ${part(lon, 'E', 'W', 3)}`;
}

/** Readable text for one component value. */
export function formatComponent<N extends ComponentName>(name: N, value: Components[N]): string {
  if (value === undefined) return '—';
  const v = value as Components[ComponentName];
  switch (name) {
    case 'position': {
      const p = v as NonNullable<Components['position']>;
      return `${formatLatLon(p.lat, p.lon)}, ${Math.round(p.alt)} m`;
    }
    case 'velocity': {
      const p = v as NonNullable<Components['velocity']>;
      return `${Math.round(p.speed * KNOTS_PER_MPS)} kn (${p.speed.toFixed(1)} m/s), hdg ${String(Math.round(p.heading) % 360).padStart(3, '0')}°`;
    }
    case 'classification': {
      const p = v as NonNullable<Components['classification']>;
      return `${p.label} (${Math.round(p.confidence * 100)} %)`;
    }
    case 'threat':
      return (v as NonNullable<Components['threat']>).level;
    case 'affiliation':
      return (v as NonNullable<Components['affiliation']>).value;
    case 'source': {
      const p = v as NonNullable<Components['source']>;
      return `${p.sensorType} · ${p.sensorId}`;
    }
    case 'fusion': {
      const p = v as NonNullable<Components['fusion']>;
      return `${p.sourceIds.length} source${p.sourceIds.length === 1 ? '' : 's'} (${p.sourceIds.join(', ')}), ${Math.round(p.confidence * 100)} %, error ${Math.round(p.errorMajorM)}×${Math.round(p.errorMinorM)} m @ ${Math.round(p.errorOrientationDeg)}°`;
    }
    case 'approval': {
      const p = v as NonNullable<Components['approval']>;
      return `${p.requestId}: ${p.tasks.join(', ') || 'no tasks'} by ${p.requestedBy}, deadline ${formatUtc(p.deadline, false)}`;
    }
    case 'taskCatalog':
      return (v as string[]).join(', ') || 'empty';
    default:
      return JSON.stringify(v);
  }
}

export function knots(mps: number): number {
  return mps * KNOTS_PER_MPS;
}
