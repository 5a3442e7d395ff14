/** How values read to an operator: short, fixed-width where they tick, UTC times. */
import type { ComponentName, Components, Hlc } from '../crdt/index.js';
import type { UplinkBudget } from '../peer/LatticeNode.js';

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

/** "850 ms", "4.2 s", then as `formatAge`: how long something has waited. */
export function formatWait(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatAge(ms);
}

const BYTE_UNITS = [
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'kB'],
] as const;

/** The SI unit that suits `bytes`, and its size: 8,000 → kB (the way link rates are quoted). */
function byteUnit(bytes: number): readonly [number, string] {
  return BYTE_UNITS.find(([size]) => Math.abs(bytes) >= size) ?? [1, 'B'];
}

function inUnit(bytes: number, [size]: readonly [number, string]): string {
  return size === 1 ? String(Math.round(bytes)) : (bytes / size).toFixed(1);
}

/** "312 B", "8.0 kB", "67.1 MB". */
export function formatBytes(bytes: number): string {
  const unit = byteUnit(bytes);
  return `${inUnit(bytes, unit)} ${unit[1]}`;
}

/** "1.2 kB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * "7.9/8.0 kB/s" (or "7.9 of 8.0 kB/s" with `separator: ' of '`): a rate against its limit,
 * both in the limit's unit so they compare at a glance.
 */
export function formatRateOf(bytesPerSecond: number, limit: number, separator = '/'): string {
  const unit = byteUnit(limit);
  return `${inUnit(bytesPerSecond, unit)}${separator}${inUnit(limit, unit)} ${unit[1]}/s`;
}

/** "unlimited", or "8.0 kB/s (64 kbit/s), burst 8.0 kB": radio and satellite links are quoted in bits. */
export function describeBudget(budget: UplinkBudget): string {
  if (budget.bytesPerSecond === 0) return 'unlimited';
  const kbit = (budget.bytesPerSecond * 8) / 1000;
  const bits = kbit >= 1000 ? `${+(kbit / 1000).toFixed(1)} Mbit/s` : `${+kbit.toFixed(1)} kbit/s`;
  return `${formatRate(budget.bytesPerSecond)} (${bits}), burst ${formatBytes(budget.burstBytes)}`;
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
