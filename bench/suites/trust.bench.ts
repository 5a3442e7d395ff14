/**
 * What proving keys costs a link: two nodes on a memory link, from construction to the link
 * being up (a session on each end) and to it being verified (each end proved its key), in the
 * same runs, so the difference is the handshake's; and one proof made and checked on its own.
 *
 * What signing batches costs (issue 14 §3): a pipeline tick's batch (1,000 position writes)
 * sealed and verified; its bytes on the wire per position write, signed against unsigned; and
 * writes per second from a node's store into the mesh's through the gateway, signed against
 * unsigned, in the same run.
 *
 * What a hybrid decision costs (issue 14 §5): an approval decision signed as a member of an owned
 * room makes it (its ML-DSA-44 attestation, then the batch's Ed25519 seal) and verified as every
 * peer's admission does, against the same decision signed and verified with Ed25519 alone (as an
 * open room's is); and its bytes on the wire, both ways.
 */
import type { BenchFigure } from '../types.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { checkProof, proveLink } from '../../src/peer/session/handshake.js';
import { ephemeralCredentials, linkCredentials, type NodeCredentials } from '../../src/peer/trust/credentials.js';
import * as Y from 'yjs';
import { EntityStore, batchProblem, type RawBatch } from '../../src/crdt/index.js';
import { BatchSealer, SealVerifier, sealBatch } from '../../src/peer/trust/batchSeal.js';
import { cryptoSigner, issueMembership } from '../../src/peer/trust/membership.js';
import type { RoomOwner } from '../../src/peer/trust/invitation.js';
import { attest, decisionMessage } from '../../src/peer/trust/hybrid.js';
import { MeshGateway, type Sealer } from '../../src/peer/budget/MeshGateway.js';
import { Pacer } from '../../src/peer/budget/Pacer.js';

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

const TRACKS = 1000;
const SEALS = 60;

/** A store holding `TRACKS` tracks, and the batch of one tick that moves them all. */
function tickBatch(node: string, tick: number, store = new EntityStore(new Y.Doc(), { node })): RawBatch {
  if (store.size === 0) {
    store.transact(() => {
      for (let i = 0; i < TRACKS; i++) store.create(`t${i}`, 'track', { position: { lat: 10, lon: 10, alt: 1000 } });
    });
  }
  store.transact(() => {
    for (let i = 0; i < TRACKS; i++) store.update(`t${i}`, { position: { lat: 10 + tick * 1e-4 + i * 1e-6, lon: 10 + i * 1e-5, alt: 1000 + tick } });
  });
  const batches = store.batches();
  return batches[batches.length - 1]!.raw;
}

/**
 * Signing and checking a tick's batch. With `member`, as an operator of an owned room: the seal
 * carries a one-certificate membership chain, and checking it includes the role.
 */
async function sealCost(credentials: NodeCredentials, member?: { owner: RoomOwner; chain: Uint8Array[] }): Promise<{ signUs: number; verifyUs: number; signedBytes: number; unsignedBytes: number }> {
  const store = new EntityStore(new Y.Doc(), { node: credentials.nodeId });
  const raws = Array.from({ length: SEALS }, (_, i) => tickBatch(credentials.nodeId, i + 1, store));
  let t = performance.now();
  const sealed: RawBatch[] = [];
  for (const raw of raws) sealed.push(await sealBatch(raw, 'bench', credentials, member?.chain ?? []));
  const signUs = ((performance.now() - t) * 1000) / SEALS;
  const verifier = new SealVerifier('bench', member?.owner);
  t = performance.now();
  for (const raw of sealed) if (batchProblem(raw, verifier.check) !== undefined) throw new Error('trust bench: a sealed batch did not verify');
  const verifyUs = ((performance.now() - t) * 1000) / SEALS;
  // Decoding is admission's work with or without seals: count only what the seal adds.
  t = performance.now();
  for (const raw of raws) batchProblem(raw);
  const decodeUs = ((performance.now() - t) * 1000) / SEALS;
  const bytes = (raw: RawBatch) => {
    const doc = new Y.Doc();
    doc.getArray('lattice.log').push([raw]);
    return Y.encodeStateAsUpdate(doc).byteLength / TRACKS;
  };
  return { signUs, verifyUs: verifyUs - decodeUs, signedBytes: bytes(sealed[0]!), unsignedBytes: bytes(raws[0]!) };
}

const DECISIONS = 20;

/**
 * One decision signed and verified (ms, median of `DECISIONS`), hybrid in an owned room and
 * Ed25519 alone in an open room, and its batch's bytes on the wire.
 */
async function decisionCost(credentials: NodeCredentials, owner: RoomOwner, chain: Uint8Array[]): Promise<{ hybridMs: number; edMs: number; hybridBytes: number; edBytes: number }> {
  const store = new EntityStore(new Y.Doc(), { node: credentials.nodeId });
  store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
  const owned = new SealVerifier('bench', owner);
  const open = new SealVerifier('bench-open');
  const key = credentials.operatorFingerprint;
  const one = async (i: number, hybrid: boolean): Promise<{ ms: number; bytes: number }> => {
    const t = performance.now();
    const requestId = `r${i}${hybrid ? 'h' : 'e'}`;
    const fields = { entityId: 't1', requestId, verdict: 'approve' as const, operator: 'Bench', key };
    const pq = hybrid ? attest(credentials.pq, store.wallNow(), (at) => decisionMessage('bench', fields, at)) : undefined;
    store.record('t1', { kind: 'decision', requestId, verdict: 'approve', operator: 'Bench', key, ...(pq === undefined ? {} : { pq }) });
    const batches = store.batches();
    const raw = await sealBatch(batches[batches.length - 1]!.raw, hybrid ? 'bench' : 'bench-open', credentials, hybrid ? chain : []);
    const problem = batchProblem(raw, hybrid ? owned.check : open.check);
    const ms = performance.now() - t;
    if (problem !== undefined) throw new Error(`trust bench: a decision did not verify (${problem})`);
    const doc = new Y.Doc();
    doc.getArray('lattice.log').push([raw]);
    return { ms, bytes: Y.encodeStateAsUpdate(doc).byteLength };
  };
  const hybrid: number[] = [];
  const ed: number[] = [];
  let hybridBytes = 0;
  let edBytes = 0;
  // Interleaved, so load on the machine falls on both alike.
  for (let i = 0; i < DECISIONS; i++) {
    const h = await one(i, true);
    const e = await one(i, false);
    hybrid.push(h.ms);
    ed.push(e.ms);
    hybridBytes = h.bytes;
    edBytes = e.bytes;
  }
  return { hybridMs: median(hybrid), edMs: median(ed), hybridBytes, edBytes };
}

/** Position writes per second from a node's store into the mesh document, through the gateway. */
async function gatewayRate(credentials: NodeCredentials, signed: boolean): Promise<number> {
  const local = new EntityStore(new Y.Doc(), { node: credentials.nodeId });
  const mesh = new EntityStore(new Y.Doc(), { node: credentials.nodeId, rewriteOwn: false });
  const sealer: Sealer | undefined = signed ? new BatchSealer('bench', credentials) : undefined;
  const gateway = new MeshGateway({ local, mesh, pacer: new Pacer(), fanOut: () => 1, ...(sealer ? { sealer } : {}) });
  const ticks = 30;
  const t = performance.now();
  for (let i = 1; i <= ticks; i++) tickBatch(credentials.nodeId, i, local);
  if (sealer instanceof BatchSealer) await sealer.idle();
  const ms = performance.now() - t;
  if (mesh.size !== TRACKS) throw new Error(`trust bench: the mesh store holds ${mesh.size} tracks`);
  gateway.destroy();
  return ((ticks + 1) * TRACKS * 1000) / ms;
}

export default async function trust(): Promise<BenchFigure[]> {
  const setup = await linkSetup();
  const cost = await proofCost();
  const credentials = await ephemeralCredentials('bench-node');
  const seal = await sealCost(credentials);
  const owner = await ephemeralCredentials('bench-owner');
  const chain = [(await issueMembership('bench', cryptoSigner(owner.operator, owner.pq), { role: 'operator', mayInvite: false, member: credentials.operator.publicKey, memberPq: credentials.pq.id, nowMs: Date.now() - 1000 })).bytes];
  const roomOwner = { key: owner.operator.publicKey, pq: owner.pq.id };
  const asMember = await sealCost(credentials, { owner: roomOwner, chain });
  const decision = await decisionCost(credentials, roomOwner, chain);
  // Interleaved, so load on the machine falls on both alike.
  const rates = { signed: [] as number[], unsigned: [] as number[] };
  for (let i = 0; i < 5; i++) {
    rates.unsigned.push(await gatewayRate(credentials, false));
    rates.signed.push(await gatewayRate(credentials, true));
  }
  const signedRate = median(rates.signed);
  const unsignedRate = median(rates.unsigned);
  console.info(`trust bench: up ${setup.up.map((x) => x.toFixed(1)).join(' ')}; verified ${setup.verified.map((x) => x.toFixed(1)).join(' ')}`);
  const up = median(setup.up);
  const verified = median(setup.verified);
  return [
    { key: 'trust.link_verified_ms', value: verified, unit: 'ms', baseline: { key: 'trust.link_up_ms', value: up } },
    { key: 'trust.handshake_ms', value: verified - up, unit: 'ms' },
    { key: 'trust.proof_sign_us', value: cost.proveUs, unit: 'µs' },
    { key: 'trust.proof_check_us', value: cost.checkUs, unit: 'µs', baseline: { key: 'trust.proof_sign_us', value: cost.proveUs } },
    { key: 'trust.credentials_ms', value: cost.credentialsMs, unit: 'ms' },
    { key: 'trust.sign_us_per_batch', value: seal.signUs, unit: 'µs' },
    { key: 'trust.verify_us_per_batch', value: seal.verifyUs, unit: 'µs', baseline: { key: 'trust.sign_us_per_batch', value: seal.signUs } },
    { key: 'trust.bytes_per_position_update', value: seal.signedBytes, unit: 'B', goal: `≤ ${(seal.unsignedBytes + 2).toFixed(1)}`, ok: seal.signedBytes <= seal.unsignedBytes + 2, baseline: { key: 'trust.bytes_per_position_update_unsigned', value: seal.unsignedBytes } },
    { key: 'trust.bytes_per_position_update_member', value: asMember.signedBytes, unit: 'B', goal: `≤ ${(asMember.unsignedBytes + 2).toFixed(1)}`, ok: asMember.signedBytes <= asMember.unsignedBytes + 2, baseline: { key: 'trust.bytes_per_position_update_unsigned', value: asMember.unsignedBytes } },
    { key: 'trust.verify_us_per_batch_member', value: asMember.verifyUs, unit: 'µs', baseline: { key: 'trust.verify_us_per_batch', value: seal.verifyUs } },
    { key: 'trust.decision_ms', value: decision.hybridMs, unit: 'ms', baseline: { key: 'trust.decision_ms_ed25519', value: decision.edMs } },
    { key: 'trust.decision_bytes', value: decision.hybridBytes, unit: 'B', baseline: { key: 'trust.decision_bytes_ed25519', value: decision.edBytes } },
    { key: 'store.writes_per_s_signed', value: signedRate, unit: 'writes/s', goal: '≥ 0.8× unsigned', ok: signedRate >= 0.8 * unsignedRate, baseline: { key: 'store.writes_per_s_unsigned_gateway', value: unsignedRate } },
  ];
}
