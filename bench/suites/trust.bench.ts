/**
 * What proving keys costs a link: two nodes on a memory link, from construction to the link
 * being up (a session on each end) and to it being verified (each end proved its key), in the
 * same runs, so the difference is the handshake's; and one proof made and checked on its own.
 */
import type { BenchFigure } from '../types.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { checkProof, proveLink } from '../../src/peer/session/handshake.js';
import { ephemeralCredentials, linkCredentials, type NodeCredentials } from '../../src/peer/trust/credentials.js';

const PAIRS = 40;
const PROOFS = 200;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function node(network: MemoryNetwork, credentials: NodeCredentials): MeshNode {
  return new MeshNode({ identity: { nodeId: credentials.nodeId, name: credentials.nodeId, role: 'operator' }, credentials, room: 'bench', transport: memoryTransport(network), persist: false });
}

/** Resolves with the times (from `t0`) when `n` first had a session, and first a verified link. */
function watch(n: MeshNode, t0: number): Promise<{ up: number; verified: number }> {
  return new Promise((resolve) => {
    let up = NaN;
    const check = () => {
      if (Number.isNaN(up) && n.transport.sessionInfo().length > 0) up = performance.now() - t0;
      if (n.transport.links().length > 0) {
        n.transport.off('links', check);
        resolve({ up, verified: performance.now() - t0 });
      }
    };
    n.transport.on('links', check);
  });
}

async function linkSetup(): Promise<{ up: number[]; verified: number[] }> {
  const up: number[] = [];
  const verified: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const [ca, cb] = await Promise.all([ephemeralCredentials(`a${i}`), ephemeralCredentials(`b${i}`)]);
    const network = new MemoryNetwork();
    const t0 = performance.now();
    const a = node(network, ca);
    const b = node(network, cb);
    const [wa, wb] = await Promise.all([watch(a, t0), watch(b, t0)]);
    up.push(Math.max(wa.up, wb.up));
    verified.push(Math.max(wa.verified, wb.verified));
    await Promise.all([a.destroy(), b.destroy()]);
  }
  return { up, verified };
}

async function proofCost(): Promise<{ proveUs: number; checkUs: number; credentialsMs: number }> {
  const t0 = performance.now();
  const [a, b] = [linkCredentials(await ephemeralCredentials('a')), linkCredentials(await ephemeralCredentials('b'))];
  const credentialsMs = (performance.now() - t0) / 2;
  const ends = { a: { peerId: a.peerId, nonce: crypto.getRandomValues(new Uint8Array(16)) }, b: { peerId: b.peerId, nonce: crypto.getRandomValues(new Uint8Array(16)) } };
  let t = performance.now();
  const proofs = [];
  for (let i = 0; i < PROOFS; i++) proofs.push(await proveLink(a, 'bench', ends.a, ends.b));
  const proveUs = ((performance.now() - t) * 1000) / PROOFS;
  t = performance.now();
  for (const proof of proofs) {
    const check = await checkProof(proof, 'bench', ends.a, ends.b, 'a', Date.now());
    if (!check.ok) throw new Error(`trust bench: a proof did not hold (${check.reason})`);
  }
  const checkUs = ((performance.now() - t) * 1000) / PROOFS;
  return { proveUs, checkUs, credentialsMs };
}

export default async function trust(): Promise<BenchFigure[]> {
  const setup = await linkSetup();
  const cost = await proofCost();
  console.info(`trust bench: up ${setup.up.map((x) => x.toFixed(1)).join(' ')}; verified ${setup.verified.map((x) => x.toFixed(1)).join(' ')}`);
  const up = median(setup.up);
  const verified = median(setup.verified);
  return [
    { key: 'trust.link_verified_ms', value: verified, unit: 'ms', baseline: { key: 'trust.link_up_ms', value: up } },
    { key: 'trust.handshake_ms', value: verified - up, unit: 'ms' },
    { key: 'trust.proof_sign_us', value: cost.proveUs, unit: 'µs' },
    { key: 'trust.proof_check_us', value: cost.checkUs, unit: 'µs', baseline: { key: 'trust.proof_sign_us', value: cost.proveUs } },
    { key: 'trust.credentials_ms', value: cost.credentialsMs, unit: 'ms' },
  ];
}
