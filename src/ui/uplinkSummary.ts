/** What the uplink traffic report means for an operator: how much of the budget is in use. */
import { TRAFFIC_CLASSES, type TrafficReport } from '../peer/LatticeNode.js';

/** Use at or above this share of the budget counts as saturated: changes will start to wait. */
export const SATURATED_SHARE = 0.9;

export interface UplinkSummary {
  /** Bytes per second sent, all classes together: what the budget limits. */
  readonly used: number;
  /** The budget in bytes per second; 0 when unlimited. */
  readonly limit: number;
  /** `used / limit`; 0 when unlimited. */
  readonly share: number;
  readonly saturated: boolean;
}

export function summariseUplink(t: TrafficReport): UplinkSummary {
  const used = TRAFFIC_CLASSES.reduce((sum, c) => sum + t.bytesPerSecond[c], 0);
  const limit = t.budget.bytesPerSecond;
  const share = limit > 0 ? used / limit : 0;
  return { used, limit, share, saturated: limit > 0 && share >= SATURATED_SHARE };
}
