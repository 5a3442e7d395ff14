/**
 * CoT and KML files in and out of a node's picture: what the UI's TAK panel and `lattice.tak`
 * call. Importing writes as an operator's edit does (a viewer is refused, the room's entity is
 * never touched) and is all or nothing; exporting reads every track, asset and geo point with a
 * position, with the approval and task state the mesh holds for it.
 */
import { PermissionError, type EntityView } from '../../crdt/index.js';
import type { LatticeNode } from '../LatticeNode.js';
import { admitCot, admitEntities, type CotAdmission } from './cotAdmission.js';
import { entityToCot, type CotContext } from './cotMapping.js';
import { buildCot, parseCot } from './cotXml.js';
import { buildKml, parseKml } from './kml.js';

export const TAK_FILE_KINDS = ['cot', 'kml'] as const;
export type TakFileKind = (typeof TAK_FILE_KINDS)[number];

export interface TakImport extends CotAdmission {
  readonly kind: TakFileKind;
  /** KML placemarks that are not points, left out. */
  readonly notPoints: number;
}

export interface TakExport {
  readonly text: string;
  /** A file name to offer, e.g. `lattice-alpha-20240501T120000Z.cot`. */
  readonly fileName: string;
  readonly mimeType: string;
  readonly count: number;
}

/** KML by its root element; CoT otherwise (a capture may start with whitespace or a declaration). */
export function takFileKind(text: string): TakFileKind {
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<kml[\s>]/.test(text.slice(0, 4096)) ? 'kml' : 'cot';
}

function assertOperator(node: LatticeNode): void {
  if (node.identity.role === 'viewer') {
    throw new PermissionError('This node is a viewer and cannot add to the picture: in an open room, reopen it with ?role=operator; in an owned room, ask its owner for an operator invitation.');
  }
}

/** Imports a CoT or KML file into the node's picture. Throws a `LatticeError` and writes nothing when refused. */
export function importTakFile(node: LatticeNode, text: string, now = Date.now()): TakImport {
  assertOperator(node);
  const kind = takFileKind(text);
  if (kind === 'kml') {
    const { entities, notPoints } = parseKml(text, now);
    return { kind, notPoints, ...admitEntities(node.store, entities, now, (i) => `Placemark ${i + 1}`) };
  }
  return { kind, notPoints: 0, ...admitCot(node.store, parseCot(text), now) };
}

function exportable(node: LatticeNode): EntityView[] {
  return node.store.list().filter((v) => v.components.position && (v.type === 'track' || v.type === 'asset' || v.type === 'geo'));
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function fileBase(node: LatticeNode, now: number): string {
  return `lattice-${node.identity.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 32) || 'node'}-${stamp(now)}`;
}

/** The node's picture as CoT events, one per entity, with approval and task state in remarks. */
export function exportCotFile(node: LatticeNode, now = Date.now()): TakExport {
  const tasksByAsset = new Map<string, NonNullable<CotContext['tasks']>[number][]>();
  for (const t of node.tasks.list()) tasksByAsset.set(t.assetId, [...(tasksByAsset.get(t.assetId) ?? []), { kind: t.kind, targetId: t.targetId, status: t.status }]);
  const events = exportable(node).map((view) => {
    const outcome = node.approvals.outcome(view.id);
    return entityToCot(view, {
      now,
      approval: outcome && { state: outcome.state, tasks: outcome.request.tasks, deadline: outcome.request.deadline },
      tasks: tasksByAsset.get(view.id),
    });
  });
  return { text: buildCot(events), fileName: `${fileBase(node, now)}.cot`, mimeType: 'application/xml', count: events.length };
}

/** The node's picture as a KML document of point placemarks. */
export function exportKmlFile(node: LatticeNode, now = Date.now()): TakExport {
  const views = exportable(node);
  return { text: buildKml(views, `Lattice Mesh, ${node.status().room}, ${new Date(now).toISOString()}`), fileName: `${fileBase(node, now)}.kml`, mimeType: 'application/vnd.google-earth.kml+xml', count: views.length };
}
