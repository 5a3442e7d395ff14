/**
 * A fused track as the tracker keeps it, the tracker's options, and what goes in and out of
 * one scan (`Tracker.processScan`).
 */
import { GATE_CHI2_2DOF } from './association.js';
import type { Mat4, Vec4 } from './kalman.js';
import type { Observation, Sensor } from './sensors.js';

export const TRACK_STATUSES = ['tentative', 'confirmed'] as const;
export type TrackStatus = (typeof TRACK_STATUSES)[number];

export const ASSOCIATION_MODES = ['global', 'nearest'] as const;
export type AssociationMode = (typeof ASSOCIATION_MODES)[number];

/** One source feeding a track: a sensor track number, or a plotting sensor's id. */
export interface SourceLink {
  lastSeen: number;
  /** Consecutive scans in which this sensor track fell outside the fused track's gate. */
  divergences: number;
}

export interface Track {
  readonly id: string;
  /** State [x, y, vx, vy] in the tracker's frame, at `time`. */
  readonly x: Vec4;
  readonly P: Mat4;
  time: number;
  status: TrackStatus;
  hits: number;
  /** Consecutive scans of a sensor covering the track that did not update it. */
  misses: number;
  lastUpdate: number;
  /** Exponential average of hit (1) and covered miss (0). */
  quality: number;
  /** Exponential average of normalised innovation squared: above `manoeuvreNis` the track is turning. */
  nis: number;
  readonly sources: Map<string, SourceLink>;
  /**
   * Serial number of the last scan that updated the track: the tracker's bookkeeping (a mark
   * on the track is cheaper than a set of updated tracks built on every scan).
   */
  updatedInScan: number;
}

export interface TrackerOptions {
  readonly association: AssociationMode;
  /** White-noise acceleration intensity q for straight flight, m²/s³. */
  readonly processNoise: number;
  /** q while a manoeuvre is detected: 3°/s at 250 m/s is 13 m/s², which 60 m²/s³ follows. */
  readonly manoeuvreNoise: number;
  /** Averaged normalised innovation squared (2 dof, mean 2 when the model fits) that signals a manoeuvre. */
  readonly manoeuvreNis: number;
  readonly gate: number;
  /** Hits that confirm a tentative track (two for sources that track by themselves). */
  readonly confirmHits: number;
  /** A confirmed track not updated for this long is deleted, s. */
  readonly maxCoastS: number;
  /** A tentative track is deleted after this many covered misses. */
  readonly tentativeMisses: number;
  /** Velocity variance of a track started from a position-only plot, (m/s)². */
  readonly initialVelocityVar: number;
  /**
   * Mixed into every track id: the run, so that two runs (whose plots are numbered alike) never
   * reuse an id, while every node fusing the same run still agrees.
   */
  readonly idSalt: string;
  /** Starts every track id: `fus.` and, in a pipeline, the run's tag (`runIds.ts`). */
  readonly idPrefix: string;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  association: 'global',
  processNoise: 3,
  manoeuvreNoise: 60,
  manoeuvreNis: 4,
  gate: GATE_CHI2_2DOF,
  confirmHits: 3,
  maxCoastS: 10,
  tentativeMisses: 2,
  initialVelocityVar: 200 ** 2,
  idSalt: '',
  idPrefix: 'fus.',
};

export interface ScanInput {
  readonly sensor: Pick<Sensor, 'id' | 'covers'>;
  readonly time: number;
  readonly observations: readonly Observation[];
}

export interface ScanResult {
  readonly created: readonly string[];
  readonly deleted: readonly string[];
}

/** A track state handed over from elsewhere (a node's document) to continue from. */
export interface TrackSeed {
  readonly id: string;
  readonly time: number;
  readonly x: number;
  readonly y: number;
  readonly vx: number;
  readonly vy: number;
  readonly positionVar: number;
  readonly velocityVar: number;
  readonly sources: readonly string[];
}
