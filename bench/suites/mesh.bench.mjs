// Mesh benchmarks: real y-webrtc links between browser contexts (one context per node), driven
// through window.lattice. Times are wall-clock ms read inside the pages (same machine, same
// clock), so Playwright's round trips do not count.
//  - mesh.converge_ms_after_heal: 3 nodes, 1,000 entities changed on each side of a partition,
//    from the heal until every node holds the merged state. Baseline: the same heal with nothing
//    changed: the time until B's first link is back up.
//  - mesh.late_join_ms_5000: a new node, from joining until it holds all 5,000 entities.
//    Baseline: the same node's time to its first link.
//  - mesh.propagation_ms_p50 / _p99: one write until both other nodes of 3 have it.

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

export async function run({ newBrowser, appUrl, signalingUrl }) {
  const browser = await newBrowser();
  const figures = [];
  const stamp = Date.now().toString(36);

  // ---- partition and heal
  {
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
  {
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
  {
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
  return figures;
}
