/**
 * What a change of the mesh document carries, as the origin of its Yjs transaction: the
 * gateway imports a release of `priority` changes under `trafficOrigin('priority')`, and the
 * mesh sends the resulting update counted under that class. The class travels with the data;
 * nothing ambient tells the pacer what it is sending.
 */
import type { TrafficClass } from '../LatticeNode.js';

export class TrafficOrigin {
  constructor(readonly cls: TrafficClass) {}
}

const ORIGINS = new Map<TrafficClass, TrafficOrigin>();

/** The one origin object of each class (so a transaction can be compared with it). */
export function trafficOrigin(cls: TrafficClass): TrafficOrigin {
  let origin = ORIGINS.get(cls);
  if (!origin) ORIGINS.set(cls, (origin = new TrafficOrigin(cls)));
  return origin;
}

export function isTrafficOrigin(origin: unknown): origin is TrafficOrigin {
  return origin instanceof TrafficOrigin;
}
