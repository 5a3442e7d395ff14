// Mesh benchmarks: real WebRTC links between browser contexts (one context per node), driven
// through window.lattice. Times are wall-clock ms read inside the pages (same machine, same
// clock), so Playwright's round trips do not count.
//  - mesh.converge_ms_after_heal: 3 nodes, 1,000 entities changed on each side of a partition,
//    from the heal until every node holds the merged state. Baseline: the same heal with nothing
//    changed: the time until B's first link is back up.
//  - mesh.late_join_ms_5000: a new node, from joining until it holds all 5,000 entities.
//    Baseline: the same node's time to its first link.
//  - mesh.propagation_ms_p50 / _p99: one write until both other nodes of 3 have it.
//  - mesh.converge_ms_wan: 3 nodes, every link impaired to a 200 ms round trip ± 50 ms and 5 %
//    loss (link faults, in the session layer), split into {A, C} and {B} with a link fault,
//    1,000 entities changed on each side; from the heal until the digests are equal (the last
//    entity change on any node). Baseline: the same on clean links (mesh.converge_ms_clean),
//    rounds interleaved; medians of three.
//  - mesh.relink_ms_no_signaling: 3 nodes linked, the signaling server stopped, one node drops
//    its direct link to another; until both have a new direct WebRTC link to each other that
//    carries the other's opening messages (hello, sync step 1, presence), however the signals
//    found their way (through the third node). A write then crosses it, checked. Baseline: the
//    same drop with the server running (mesh.relink_ms_with_signaling). Rounds alternate
//    which end drops (the smaller peer id dials, so once the dialer drops, once it must first
//    notice the other end closed), 3.5 s apart (the dialer backs off 3 s); medians of three.

const WAIT = 60_000;

async function openNode(browser, appUrl, signalingUrl, room, name, initScript) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`  [mesh ${name}] ${e.message}\n`));
  const params = new URLSearchParams({ room, name, signaling: signalingUrl });
  await page.goto(`${appUrl}index.html?${params}`);
  await page.waitForFunction(() => window.lattice !== undefined, null, { timeout: WAIT });
  await page.evaluate(() => window.lattice.ready);
  return { context, page, name };
}

const directPeers = (n) => n.page.evaluate(() => window.lattice.peers().filter((p) => p.link !== 'relay').length);

async function waitFor(probe, what, timeoutMs = WAIT) {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > timeoutMs) throw new Error(`mesh bench: timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function digestsEqual(nodes) {
  const d = await Promise.all(nodes.map((n) => n.page.evaluate(() => window.lattice.digest())));
  return d.every((x) => x === d[0]);
}

/** Installs a recorder of the time of the latest entity change on each node. */
const recordChanges = (nodes) =>
  Promise.all(
    nodes.map((n) =>
      n.page.evaluate(() => {
        window.__lastChange = 0;
        window.__stopRecording?.();
        window.__stopRecording = window.lattice.watch(() => (window.__lastChange = Date.now()));
      }),
    ),
  );

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function mesh3(browser, appUrl, signalingUrl, room) {
  const nodes = [];
  for (const name of ['A', 'B', 'C']) nodes.push(await openNode(browser, appUrl, signalingUrl, room, name));
  for (const n of nodes) await waitFor(async () => (await directPeers(n)) === 2, `${n.name} links to both others`);
  return nodes;
}

async function heal(nodes, changed) {
  const [a, b, c] = nodes;
  await b.page.evaluate(() => window.lattice.disconnect());
  await waitFor(async () => (await directPeers(a)) === 1 && (await directPeers(c)) === 1, 'A and C no longer link to B');
  if (changed) {
    await a.page.evaluate(() => {
      window.lattice.transact(() => {
        for (let i = 0; i < 1000; i++) window.lattice.update(`e${i}`, { position: { lat: 10 + i / 1000, lon: 20, alt: 1 } });
      });
    });
    await b.page.evaluate(() => {
      window.lattice.transact(() => {
        for (let i = 0; i < 1000; i++) window.lattice.update(`e${i + 500}`, { velocity: { speed: 3, heading: i % 360 } });
      });
    });
  }
  await recordChanges(nodes);
  const healAt = await b.page.evaluate(() => {
    window.__linkedAt = undefined;
    const node = window.lattice.node;
    const onStatus = (s) => {
      if (window.__linkedAt === undefined && s.peers.some((p) => p.link !== 'relay')) {
        window.__linkedAt = Date.now();
        node.off('status', onStatus);
      }
    };
    node.on('status', onStatus);
    const t = Date.now();
    window.lattice.connect();
    return t;
  });
  if (changed) {
    await waitFor(() => digestsEqual(nodes), 'the digests are equal after the heal');
    const last = await Promise.all(nodes.map((n) => n.page.evaluate(() => window.__lastChange)));
    return Math.max(...last) - healAt;
  }
  // Nothing to merge: time until B's first link is up again.
  await waitFor(() => b.page.evaluate(() => window.__linkedAt !== undefined), 'B links again');
  return (await b.page.evaluate(() => window.__linkedAt)) - healAt;
}

// ---- WAN: link faults on every link

/** Per node, so that each link (both ends' impairments add) has 75 + U(0, 50) ms each way: a
 * 200 ms round trip ± 50 ms; and 1 − (1 − p)² = 5 % loss. */
const WAN = { latencyMs: 37.5, jitterMs: 25, loss: 1 - Math.sqrt(0.95) };

const linksOf = (n) => n.page.evaluate(() => window.lattice.links());

async function policiesAre(nodes, check) {
  const all = await Promise.all(nodes.map(linksOf));
  return all.every((links) => links.length === 2 && links.every((l) => check(l.policy, l.name)));
}

async function writeSide(node, offset, component) {
  await node.page.evaluate(
    ({ offset, component, salt }) => {
      window.lattice.transact(() => {
        for (let i = 0; i < 1000; i++) {
          const id = `e${i + offset}`;
          if (component === 'position') window.lattice.update(id, { position: { lat: 10 + i / 1000 + salt, lon: 20, alt: 1 } });
          else window.lattice.update(id, { velocity: { speed: 3 + salt, heading: i % 360 } });
        }
      });
    },
    { offset, component, salt: Math.random() },
  );
}

/** Split {A, C} | {B}, 1,000 changes on each side, heal: ms from the heal until every node has the merged state. */
async function splitAndHeal(nodes) {
  const [a, b, c] = nodes;
  const split = await a.page.evaluate(() => window.lattice.faults.split([['A', 'C'], ['B']]).id);
  // Every node applies it: B's links are cut at both ends.
  await waitFor(async () => {
    const [la, lb, lc] = await Promise.all(nodes.map(linksOf));
    return lb.length === 2 && lb.every((l) => l.policy.cut) && la.some((l) => l.name === 'B' && l.policy.cut) && lc.some((l) => l.name === 'B' && l.policy.cut);
  }, 'the split is in force on every node');
  await writeSide(a, 0, 'position');
  await writeSide(b, 500, 'velocity');
  // A and C agree before the heal (over a lossy link that may take an anti-entropy round).
  await waitFor(() => digestsEqual([a, c]), 'A and C agree within their side');
  await recordChanges(nodes);
  const healAt = await a.page.evaluate((id) => {
    const t = Date.now();
    window.lattice.faults.heal(id);
    return t;
  }, split);
  await waitFor(() => digestsEqual(nodes), 'the digests are equal after the heal');
  const last = await Promise.all(nodes.map((n) => n.page.evaluate(() => window.__lastChange)));
  return Math.max(...last) - healAt;
}

async function impairAll(nodes, on) {
  const [a] = nodes;
  if (on) {
    await a.page.evaluate((wan) => {
      window.__wanFaults = ['A', 'B', 'C'].map((node) => window.lattice.faults.impair({ node, ...wan }).id);
    }, WAN);
    await waitFor(() => policiesAre(nodes, (p) => Math.abs(p.latencyMs - 75) < 1e-9 && Math.abs(p.jitterMs - 50) < 1e-9 && Math.abs(p.loss - 0.05) < 1e-9), 'every link is impaired');
  } else {
    await a.page.evaluate(() => {
      for (const id of window.__wanFaults ?? []) window.lattice.faults.heal(id);
      window.__wanFaults = [];
    });
    await waitFor(() => policiesAre(nodes, (p) => !p.cut && p.latencyMs === 0 && p.loss === 0), 'every link is clean again');
  }
}

// ---- relinking

const RELINK_SPACING_MS = 3500;

/** Installs, on `n`, a watcher of the first direct link to `nodeId` opened after `after` that has carried its opening messages. */
const watchRelink = (n, nodeId, after) =>
  n.page.evaluate(
    ({ nodeId, after }) => {
      window.__relinkedAt = undefined;
      clearInterval(window.__relinkTimer);
      window.__relinkTimer = setInterval(() => {
        const s = window.lattice.node.transport.sessionInfo().find((x) => x.nodeId === nodeId && x.kind === 'webrtc' && x.since >= after && x.stats.messagesIn >= 4);
        if (s) {
          window.__relinkedAt = Date.now();
          clearInterval(window.__relinkTimer);
        }
      }, 5);
    },
    { nodeId, after },
  );

/** One drop of the direct link `from`–`to` (by `from`); ms until both ends have a new direct link carrying data. */
async function dropAndRelink(from, to) {
  // A drop soon after the last one waits out the dialer's backoff (3 s from its last dial, even
  // one that succeeded): each round starts from a mesh that has been steady that long.
  await new Promise((r) => setTimeout(r, RELINK_SPACING_MS));
  const [fromId, toId] = await Promise.all([from, to].map((n) => n.page.evaluate(() => window.lattice.identity.nodeId)));
  const toPeer = await to.page.evaluate(() => window.lattice.node.transport.peerId);
  const before = await from.page.evaluate(() => Date.now());
  await Promise.all([watchRelink(from, toId, before), watchRelink(to, fromId, before)]);
  const droppedAt = await from.page.evaluate((peer) => {
    const t = Date.now();
    if (window.lattice.node.transport.dropLinks(peer) !== 1) throw new Error('no direct link to drop');
    return t;
  }, toPeer);
  await waitFor(async () => (await Promise.all([from, to].map((n) => n.page.evaluate(() => window.__relinkedAt !== undefined)))).every(Boolean), `${from.name} and ${to.name} link directly again`, 30_000);
  const at = await Promise.all([from, to].map((n) => n.page.evaluate(() => window.__relinkedAt)));
  // A write crosses the new direct link (its session counts a message more), as links() shows it.
  const direct = (n, nodeId) => n.page.evaluate((id) => window.lattice.node.transport.sessionInfo().find((x) => x.nodeId === id && x.kind === 'webrtc' && !x.policy.cut), nodeId);
  const seen = (await direct(to, fromId))?.stats.messagesIn ?? 0;
  const probe = `relink-${Math.random().toString(36).slice(2, 8)}`;
  await from.page.evaluate((id) => window.lattice.create(id, 'track', { position: { lat: 1, lon: 1, alt: 0 } }), probe);
  await waitFor(async () => {
    const [s, links] = await Promise.all([direct(to, fromId), linksOf(to)]);
    return (await to.page.evaluate((id) => window.lattice.get(id) !== undefined, probe)) && s !== undefined && s.stats.messagesIn > seen && links.some((l) => l.nodeId === fromId && l.kind === 'webrtc');
  }, `a write of ${from.name} reaches ${to.name} over their direct link`, 10_000);
  const fromPeer = await from.page.evaluate(() => window.lattice.node.transport.peerId);
  process.stderr.write(`  mesh: ${from.name} dropped ${to.name}; ${fromPeer < toPeer ? from.name : to.name} dials; ends relinked after ${at.map((t) => t - droppedAt).join(' / ')} ms\n`);
  return Math.max(...at) - droppedAt;
}

/** MESH_BENCH_ONLY=wan,relink runs only those sections (heal, late, propagation, wan, relink). */
const only = process.env.MESH_BENCH_ONLY?.split(',');
const section = (name) => only === undefined || only.includes(name);

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

export async function run({ newBrowser, appUrl, signalingUrl, stopSignaling, startSignaling }) {
  const browser = await newBrowser();
  const figures = [];
  const stamp = Date.now().toString(36);

  // ---- partition and heal
  if (section('heal')) {
    const nodes = await mesh3(browser, appUrl, signalingUrl, `bench-heal-${stamp}`);
    const [a] = nodes;
    await a.page.evaluate(() => {
      window.lattice.transact(() => {
        for (let i = 0; i < 1500; i++) window.lattice.create(`e${i}`, 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      });
    });
    await waitFor(() => digestsEqual(nodes), 'the three nodes hold the same 1,500 entities');
    // Median of three heals each, interleaved.
    const samples = [];
    const reconnects = [];
    for (let round = 0; round < 3; round++) {
      reconnects.push(await heal(nodes, false));
      samples.push(await heal(nodes, true));
    }
    samples.sort((x, y) => x - y);
    reconnects.sort((x, y) => x - y);
    const converge = samples[1];
    const reconnect = reconnects[1];
    figures.push({ key: 'mesh.converge_ms_after_heal', value: converge, unit: 'ms', goal: '≤ 1000', ok: converge <= 1000, baseline: { key: 'mesh.reconnect_ms', value: reconnect } });
    await Promise.all(nodes.map((n) => n.context.close()));
  }

  // ---- late joiner
  if (section('late')) {
    const room = `bench-late-${stamp}`;
    const a = await openNode(browser, appUrl, signalingUrl, room, 'A');
    await a.page.evaluate(() => {
      for (let i = 0; i < 5000; i += 500) {
        window.lattice.transact(() => {
          for (let j = i; j < i + 500; j++) {
            window.lattice.create(`big${j}`, 'track', { position: { lat: (j % 180) - 89.5, lon: (j % 360) - 179.5, alt: j }, velocity: { speed: j % 300, heading: j % 360 }, classification: { label: `label-${j % 17}`, confidence: 0.75 } });
          }
        });
      }
    });
    const bytes = await a.page.evaluate(() => window.lattice.documentBytes());
    // The late node is watched from its first moment: an init script catches window.lattice as
    // main.ts installs it, before the node joins (it joins once IndexedDB has loaded).
    const late = await openNode(browser, appUrl, signalingUrl, room, 'late', () => {
      let api;
      Object.defineProperty(window, 'lattice', {
        configurable: true,
        get: () => api,
        set(value) {
          api = value;
          const node = value.node;
          const check = () => {
            const s = node.status();
            if (s.joinedAt === undefined) return;
            if (window.__firstLink === undefined && s.peers.some((p) => p.link !== 'relay')) window.__firstLink = Date.now() - s.joinedAt;
            if (window.__full === undefined && node.store.size >= 5000) window.__full = Date.now() - s.joinedAt;
          };
          node.store.watch(check);
          node.on('status', check);
        },
      });
    });
    await waitFor(() => late.page.evaluate(() => window.__full !== undefined && window.__firstLink !== undefined), 'the late joiner holds all 5,000 entities');
    const { full, firstLink } = await late.page.evaluate(() => ({ full: window.__full, firstLink: window.__firstLink }));
    process.stderr.write(`  mesh: document of 5,000 entities is ${bytes} B\n`);
    figures.push({ key: 'mesh.late_join_ms_5000', value: full, unit: 'ms', goal: '≤ 2000', ok: full <= 2000, baseline: { key: 'mesh.first_link_ms', value: firstLink } });
    await Promise.all([a.context.close(), late.context.close()]);
  }

  // ---- propagation
  if (section('propagation')) {
    const nodes = await mesh3(browser, appUrl, signalingUrl, `bench-prop-${stamp}`);
    const [a, b, c] = nodes;
    const WRITES = 300;
    for (const n of [b, c]) {
      await n.page.evaluate(() => {
        window.__arrivals = {};
        window.lattice.watch((events) => {
          const t = performance.timeOrigin + performance.now();
          for (const e of events) if (e.origin === 'remote' && window.__arrivals[e.id] === undefined) window.__arrivals[e.id] = t;
        });
      });
    }
    const sent = await a.page.evaluate(
      (n) =>
        new Promise((resolve) => {
          const times = {};
          let i = 0;
          const next = () => {
            if (i === n) return resolve(times);
            const id = `p${i++}`;
            times[id] = performance.timeOrigin + performance.now();
            window.lattice.create(id, 'track', { position: { lat: 1, lon: 2, alt: 3 } });
            setTimeout(next, 10);
          };
          next();
        }),
      WRITES,
    );
    await waitFor(async () => (await Promise.all([b, c].map((n) => n.page.evaluate(() => Object.keys(window.__arrivals).length)))).every((k) => k >= WRITES), 'B and C received every write');
    const [arrB, arrC] = await Promise.all([b, c].map((n) => n.page.evaluate(() => window.__arrivals)));
    const delays = Object.keys(sent)
      .map((id) => Math.max(arrB[id], arrC[id]) - sent[id])
      .sort((x, y) => x - y);
    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    figures.push({ key: 'mesh.propagation_ms_p50', value: p50, unit: 'ms', goal: '≤ 50', ok: p50 <= 50 });
    figures.push({ key: 'mesh.propagation_ms_p99', value: p99, unit: 'ms', goal: '≤ 250', ok: p99 <= 250 });
    await Promise.all(nodes.map((n) => n.context.close()));
  }
  // ---- WAN: 200 ms round trips, jitter, 5 % loss on every link
  if (section('wan')) {
    const nodes = await mesh3(browser, appUrl, signalingUrl, `bench-wan-${stamp}`);
    const [a] = nodes;
    await a.page.evaluate(() => {
      window.lattice.transact(() => {
        for (let i = 0; i < 1500; i++) window.lattice.create(`e${i}`, 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      });
    });
    await waitFor(() => digestsEqual(nodes), 'the three nodes hold the same 1,500 entities');
    const clean = [];
    const wan = [];
    for (let round = 0; round < 3; round++) {
      clean.push(await splitAndHeal(nodes));
      await impairAll(nodes, true);
      wan.push(await splitAndHeal(nodes));
      await impairAll(nodes, false);
    }
    const lost = (await Promise.all(nodes.map(linksOf))).flat().reduce((sum, l) => sum + l.faulted.lost, 0);
    process.stderr.write(`  mesh: converge after a heal, clean ${JSON.stringify(clean)} ms, WAN ${JSON.stringify(wan)} ms (${lost} messages lost on the WAN links)\n`);
    const value = median(wan);
    figures.push({ key: 'mesh.converge_ms_wan', value, unit: 'ms', goal: '≤ 2000', ok: value <= 2000, baseline: { key: 'mesh.converge_ms_clean', value: median(clean) } });
    figures.push({ key: 'mesh.converge_ms_wan_max', value: Math.max(...wan), unit: 'ms', baseline: { key: 'mesh.converge_ms_clean_max', value: Math.max(...clean) } });
    await Promise.all(nodes.map((n) => n.context.close()));
  }

  // ---- relinking with the signaling server stopped
  if (section('relink')) {
    const nodes = await mesh3(browser, appUrl, signalingUrl, `bench-relink-${stamp}`);
    const [a, b] = nodes;
    const withServer = [];
    const without = [];
    try {
      for (let round = 0; round < 3; round++) withServer.push(round % 2 === 0 ? await dropAndRelink(a, b) : await dropAndRelink(b, a));
      await stopSignaling();
      await waitFor(async () => (await Promise.all(nodes.map((n) => n.page.evaluate(() => window.lattice.status().signalingConnected)))).every((x) => !x), 'no node reaches the signaling server');
      for (let round = 0; round < 3; round++) without.push(round % 2 === 0 ? await dropAndRelink(a, b) : await dropAndRelink(b, a));
    } finally {
      await startSignaling();
    }
    process.stderr.write(`  mesh: relink with the server ${JSON.stringify(withServer)} ms, without ${JSON.stringify(without)} ms\n`);
    const value = median(without);
    figures.push({ key: 'mesh.relink_ms_no_signaling', value, unit: 'ms', goal: '≤ 5000', ok: value <= 5000, baseline: { key: 'mesh.relink_ms_with_signaling', value: median(withServer) } });
    figures.push({ key: 'mesh.relink_ms_no_signaling_max', value: Math.max(...without), unit: 'ms', goal: '≤ 5000', ok: Math.max(...without) <= 5000, baseline: { key: 'mesh.relink_ms_with_signaling_max', value: Math.max(...withServer) } });
    await Promise.all(nodes.map((n) => n.context.close()));
  }
  return figures;
}
