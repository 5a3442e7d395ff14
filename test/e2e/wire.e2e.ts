/**
 * The wire over real WebRTC (one browser context per node), through the same session code the
 * memory suite runs: a partial partition converges through the third node and heals; with the
 * signaling server stopped, two nodes whose link dropped link again through a third; three
 * nodes with 200 ms round trips, jitter and 5 % loss converge after a partition; a reloaded tab
 * rejoins through another tab of its browser.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, newNodeContext, openNode, openPage, pageHandle, type OpenNode } from './nodes.js';
import { SignalingServer } from './signalingServer.js';

/** The node ids this node links to directly, with whether the link is cut. */
const directLinks = (page: Page) => page.evaluate(() => window.lattice!.links().map((l) => ({ nodeId: l.nodeId, name: l.name, cut: l.policy.cut, kind: l.kind })));
const nodeIdOf = (n: OpenNode) => n.page.evaluate(() => window.lattice!.identity.nodeId);

async function openTrio(browser: import('@playwright/test').Browser, signaling?: string): Promise<OpenNode[]> {
  const room = freshRoom('wire');
  const nodes: OpenNode[] = [];
  for (const name of ['A', 'B', 'C']) nodes.push(await openNode(browser, { room, name, ...(signaling ? { signaling } : {}) }));
  // A link is listed as soon as it opens and names its node once the peer proved its key:
  // wait for both proofs, or a node named at once may not be known yet.
  for (const n of nodes) await waitUntil(async () => (await directLinks(n.page)).filter((l) => !l.cut && l.nodeId !== undefined).length === 2, `${n.handle.label} links to both others, verified`, 20_000);
  return nodes;
}

const converged = async (nodes: OpenNode[], timeoutMs = 15_000) =>
  waitUntil(async () => new Set(await Promise.all(nodes.map((n) => n.handle.digest()))).size === 1, 'all digests are equal', timeoutMs, async () => (await Promise.all(nodes.map((n) => n.handle.digest()))).join(' '));

test('a partial partition (A–B cut, both linked to C) converges through C, and heals', async ({ browser }) => {
  const nodes = await openTrio(browser);
  const [a, b, c] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    const fault = await c.page.evaluate(() => window.lattice!.faults.cut('A', 'B'));
    const bId = await nodeIdOf(b);
    await waitUntil(async () => (await directLinks(a.page)).some((l) => l.nodeId === bId && l.cut), 'A applies the cut to its link to B', 10_000);
    // The cut is shown on the nodes it affects.
    expect((await b.handle.status()).faults).toBe(1);
    await a.handle.create('through-c', 'track', { position: { lat: 1, lon: 2, alt: 0 } });
    await b.handle.create('from-b', 'track', { position: { lat: 3, lon: 4, alt: 0 } });
    await converged(nodes);
    // A did not send it to B directly: A's link to B counted what the cut held back.
    const cutCount = await a.page.evaluate((id) => window.lattice!.links().find((l) => l.nodeId === id)!.faulted.cut, bId);
    expect(cutCount).toBeGreaterThan(0);
    expect(await a.page.evaluate((id) => window.lattice!.route(id)?.length, bId)).toBe(3);
    await b.page.evaluate((id) => window.lattice!.faults.heal(id), fault.id);
    await waitUntil(async () => (await directLinks(a.page)).some((l) => l.nodeId === bId && !l.cut), 'the heal reaches A', 10_000);
    await a.handle.update('through-c', { position: { lat: 5, lon: 6, alt: 0 } });
    await converged(nodes);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});

test('with the signaling server stopped, two nodes whose link dropped link again directly through a third', async ({ browser }) => {
  const server = new SignalingServer(4460 + Math.floor(Math.random() * 30));
  await server.start();
  const nodes = await openTrio(browser, server.url);
  const [a, b] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    await server.stop();
    await waitUntil(async () => !(await a.handle.status()).signalingConnected, 'A sees the signaling server gone', 15_000);
    const bId = await nodeIdOf(b);
    const bPeer = await b.page.evaluate(() => (window.lattice!.node as unknown as { transport: { peerId: string } }).transport.peerId);
    const linkToB = () => a.page.evaluate((id) => window.lattice!.links().find((l) => l.nodeId === id && l.kind === 'webrtc')?.since, bId);
    const before = await linkToB();
    expect(await a.page.evaluate((peer) => (window.lattice!.node as unknown as { transport: { dropLinks(p: string): number } }).transport.dropLinks(peer), bPeer)).toBe(1);
    // A new link (it may be back before a poll could see it gone).
    await waitUntil(async () => ((await linkToB()) ?? 0) > before!, 'A links to B again, directly, with no server', 15_000);
    await a.handle.create('relinked', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(async () => (await b.handle.get('relinked')) !== undefined, 'data flows', 10_000);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
    await server.stop();
  }
});

test('three nodes with 200 ms round trips, jitter and 5 % loss converge after a partition', async ({ browser }) => {
  test.setTimeout(120_000);
  const nodes = await openTrio(browser);
  const [a, b, c] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    // 50 ms on each node's links each way: 100 ms one way per link, 200 ms round trip.
    for (const name of ['A', 'B', 'C']) await a.page.evaluate((n) => window.lattice!.faults.impair({ node: n, latencyMs: 50, jitterMs: 25, loss: 0.0253 }), name);
    await waitUntil(async () => (await directLinks(c.page)).length === 2 && (await c.page.evaluate(() => window.lattice!.links().every((l) => l.policy.latencyMs === 100))), 'every link is impaired', 10_000);
    await a.handle.createMany('w', 300);
    await converged(nodes, 30_000);
    const split = await b.page.evaluate(() => window.lattice!.faults.split([['A', 'C'], ['B']]));
    await a.page.evaluate(() => window.lattice!.transact(() => { for (let i = 0; i < 150; i++) window.lattice!.update(`w${i}`, { position: { lat: 10, lon: i / 10, alt: 1 } }); }));
    await b.page.evaluate(() => window.lattice!.transact(() => { for (let i = 100; i < 250; i++) window.lattice!.update(`w${i}`, { velocity: { speed: 5, heading: i } }); }));
    await c.handle.delete('w299');
    expect(await b.handle.get('w299')).toBeDefined();
    // A heals it once A has heard of it (faults travel with the same 100 ms latency).
    await waitUntil(async () => a.page.evaluate((id) => window.lattice!.faults.list().some((f) => f.id === id), split.id), 'A hears of the split', 10_000);
    await a.page.evaluate((id) => window.lattice!.faults.heal(id), split.id);
    const ms = await converged(nodes, 30_000);
    console.log(`wire: converged ${ms} ms after the heal at 200 ms RTT, jitter, 5 % loss`);
    expect((await b.handle.get('w120'))!.components).toMatchObject({ position: { lat: 10 }, velocity: { speed: 5 } });
    expect(await b.handle.get('w299')).toBeUndefined();
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});

test('a reloaded tab rejoins the mesh through another tab of its browser, with no signaling server', async ({ browser }) => {
  const server = new SignalingServer(4490 + Math.floor(Math.random() * 9));
  await server.start();
  const room = freshRoom('tabs-relay');
  const context = await newNodeContext(browser);
  const other = await openNode(browser, { room, name: 'Far', signaling: server.url });
  try {
    const tab1 = await openPage(context, { room, name: 'Tab1', signaling: server.url });
    const tab2 = await openPage(context, { room, name: 'Tab2', signaling: server.url });
    const farId = await nodeIdOf(other);
    for (const t of [tab1, tab2]) await waitUntil(async () => (await directLinks(t)).length === 2, 'each tab links to the other tab and to Far', 20_000);
    await server.stop();
    await tab2.reload();
    await tab2.waitForFunction(() => window.lattice !== undefined);
    await tab2.evaluate(() => window.lattice!.ready);
    // Tab1 introduces it over BroadcastChannel; through Tab1 it reaches Far and links to it.
    await waitUntil(async () => (await directLinks(tab2)).some((l) => l.kind === 'broadcastchannel'), 'the reloaded tab links to Tab1 over BroadcastChannel', 15_000);
    await waitUntil(async () => (await directLinks(tab2)).some((l) => l.nodeId === farId && l.kind === 'webrtc'), 'the reloaded tab links to Far directly, signaled through Tab1', 20_000);
    await other.handle.create('far-write', 'track', { position: { lat: 2, lon: 2, alt: 0 } });
    await waitUntil(async () => (await pageHandle('Tab2', tab2).get('far-write')) !== undefined, 'a write from Far reaches the reloaded tab', 10_000);
  } finally {
    await Promise.all([context.close(), other.context.close()]);
    await server.stop();
  }
});
