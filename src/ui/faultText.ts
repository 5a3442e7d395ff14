/**
 * Link faults and link policies in words, the way an operator reads them: "alpha ✕ bravo cut",
 * "charlie: +100 ms ± 50 ms, 5 % loss". Nodes are named by their display names; an id no node
 * has announced is shown as it is.
 */
import type { FaultSpec, Impairment, LinkPolicy } from '../peer/faults/LinkFaults.js';
import type { Topology } from '../peer/LatticeNode.js';
import { formatRate } from './format.js';

/** Node id → display name, from the nodes of a topology. */
export type NameOf = (nodeId: string) => string;

export function namesIn(topology: Topology): NameOf {
  const names = new Map(topology.nodes.map((n) => [n.nodeId, n.name]));
  return (id) => names.get(id) ?? id;
}

/** "5 %", "0.5 %": a probability as a percentage, without trailing zeros. */
export function formatPercent(p: number): string {
  return `${Number((p * 100).toFixed(1))} %`;
}

/** "+100 ms ± 50 ms, 5 % loss, 2 % duplicated, 1 % reordered, ≤ 8.0 kB/s"; "no impairment". */
export function describeImpairment(i: Impairment): string {
  const parts: string[] = [];
  if (i.latencyMs > 0 || i.jitterMs > 0) parts.push(`+${Math.round(i.latencyMs)} ms${i.jitterMs > 0 ? ` ± ${Math.round(i.jitterMs)} ms` : ''}`);
  if (i.loss > 0) parts.push(`${formatPercent(i.loss)} loss`);
  if (i.duplicate > 0) parts.push(`${formatPercent(i.duplicate)} duplicated`);
  if (i.reorder > 0) parts.push(`${formatPercent(i.reorder)} reordered`);
  if (i.bandwidthBps > 0) parts.push(`≤ ${formatRate(i.bandwidthBps)}`);
  return parts.length > 0 ? parts.join(', ') : 'no impairment';
}

/** One fault in words. */
export function describeFault(spec: FaultSpec, name: NameOf): string {
  switch (spec.kind) {
    case 'cut':
      return `${name(spec.a)} ✕ ${name(spec.b)} cut`;
    case 'split':
      return `split: ${spec.groups.map((g) => g.map(name).join(', ')).join(' | ')}`;
    case 'impair':
      return `${spec.b === undefined ? name(spec.a) : `${name(spec.a)} – ${name(spec.b)}`}: ${describeImpairment(spec)}`;
  }
}

/** What the faults do to one link: "cut", "cut; +100 ms", "+20 ms, 5 % loss" or "clean". */
export function describePolicy(p: LinkPolicy): string {
  const impaired = describeImpairment(p);
  if (p.cut) return impaired === 'no impairment' ? 'cut' : `cut; ${impaired}`;
  return impaired === 'no impairment' ? 'clean' : impaired;
}

/** "1 link fault in force", "2 link faults in force", "No link faults". */
export function faultCountText(n: number): string {
  return n === 0 ? 'No link faults' : `${n} link fault${n === 1 ? '' : 's'} in force`;
}

/**
 * A number typed into a fault field, or why not. Empty is 0 (the field was left alone). The
 * node judges the range (it refuses 70 s of latency, or 100 % loss); this only reads the text.
 */
export function parseAmount(text: string, what: string): number | { readonly error: string } {
  const t = text.trim();
  if (t === '') return 0;
  if (!/^\d+(\.\d+)?$/.test(t)) return { error: `${what} must be a number, got "${t}".` };
  return Number(t);
}
