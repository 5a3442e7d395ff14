/**
 * How an entity looks on the map: its MIL-STD-2525C symbol code (SIDC), its display kind and
 * its colour. Pure functions of the entity's components, so every node draws the same picture.
 */
import type { EntityView, ThreatLevel } from '../../crdt/index.js';

/** How a thing is drawn: a full framed symbol, or a small raw sensor plot. */
export type DisplayKind = 'fused' | 'symbol' | 'plot' | 'point';

/** 2525C standard identity letters (position 2 of the SIDC). */
export type IdentityLetter = 'F' | 'H' | 'N' | 'U' | 'S';

/**
 * Standard identity from affiliation and threat. An unknown contact judged a medium or high
 * threat is shown as *suspect* (2525C's identity for "possibly hostile"), so the frame itself
 * warns before anyone has declared it hostile.
 */
export function identityOf(view: EntityView): IdentityLetter {
  const affiliation = view.components.affiliation?.value ?? (view.type === 'asset' ? 'friend' : 'unknown');
  const threat = view.components.threat?.level ?? 'none';
  switch (affiliation) {
    case 'friend':
      return 'F';
    case 'hostile':
      return 'H';
    case 'neutral':
      return 'N';
    default:
      return threat === 'medium' || threat === 'high' ? 'S' : 'U';
  }
}

/** 2525C air-track function id (positions 5–10) from the classification label. */
function airFunction(label: string | undefined, asset: boolean): string {
  const l = (label ?? '').toLowerCase();
  if (/civil|airliner|commercial/.test(l)) return 'C-----';
  if (/uav|drone|unmanned/.test(l)) return 'MFQ---';
  if (/heli|rotary/.test(l)) return 'MH----';
  if (/fighter|interceptor/.test(l) || (asset && l === '')) return 'MFF---';
  if (/military|fast|jet/.test(l)) return 'MF----';
  if (/aircraft|air/.test(l)) return 'M-----';
  return '------';
}

/** The 15-character 2525C SIDC of an entity: air tracks and assets ("S?AP…"). */
export function sidcOf(view: EntityView): string {
  return `S${identityOf(view)}AP${airFunction(view.components.classification?.label, view.type === 'asset')}-----`;
}

export function displayKindOf(view: EntityView): DisplayKind {
  if (view.type === 'geo') return 'point';
  if (view.components.fusion || view.components.source?.sensorType === 'fused') return 'fused';
  if (view.type === 'track' && view.components.source && view.components.source.sensorType !== 'operator') return 'plot';
  return 'symbol';
}

/** Frame colours of 2525's "medium" palette, lifted a little for a dark background. */
export const IDENTITY_COLOURS: Record<IdentityLetter, string> = {
  F: '#7cc4ff',
  H: '#ff7b7b',
  N: '#7ee29a',
  U: '#ffe680',
  S: '#ffa8d8',
};

export const THREAT_COLOURS: Record<ThreatLevel, string> = {
  none: 'transparent',
  low: '#e8d25a',
  medium: '#ff9f43',
  high: '#ff4d4d',
};

/** The text drawn beside a symbol and listed in panels. */
export function labelOf(view: EntityView): string {
  return view.components.classification?.label ?? view.id;
}
