#!/usr/bin/env node
// `npm run screenshots`: runs the real app (Vite + the signaling server), opens mesh nodes in
// headless Chromium (one browser context each), loads the default scenario, approves an
// intercept, sets link faults, and writes docs/screenshots/*.png. Everything shown is the
// product running.
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { launchOptions } from './browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(outDir, { recursive: true });

const signalingPort = 4900 + Math.floor(Math.random() * 90);
const signaling = spawn(process.execPath, ['scripts/signaling.mjs', '--port', String(signalingPort)], { cwd: root, stdio: 'ignore' });
const server = await createServer({ root, logLevel: 'warn', server: { port: 0, host: '127.0.0.1' } });
await server.listen();
const base = server.resolvedUrls.local[0];
const room = `screenshots-${Date.now().toString(36)}`;
const url = (name, inRoom) => `${base}?room=${inRoom}&name=${name}&signaling=ws://127.0.0.1:${signalingPort}`;

const browser = await chromium.launch(launchOptions);
const shots = [];
const step = (what) => process.stderr.write(`screenshots: ${what}\n`);
try {
  // The first node opens a room of its own; the others join from invitations it makes.
  let owner;
  const open = async (name, inRoom = room) => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1, permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stderr.write(`[${name}] page error: ${e.message}\n`));
    if (owner && inRoom === room) {
      const link = new URL(await owner.evaluate(() => window.lattice.room.invite({ role: 'operator' })));
      link.searchParams.set('name', name);
      await page.goto(link.toString());
    } else {
      await page.goto(url(name, inRoom));
    }
    await page.waitForFunction(() => window.lattice?.pipeline !== undefined, null, { timeout: 60_000 });
    await page.evaluate(() => window.lattice.ready);
    return page;
  };
  const shoot = async (page, name) => {
    const path = fileURLToPath(new URL(`${name}.png`, outDir));
    await page.screenshot({ path });
    shots.push(path);
  };
  const app = (page, fn, arg) => page.evaluate(fn, arg);

  const alpha = await open('Ops-North');
  owner = alpha;
  const bravo = await open('Ops-South');
  await bravo.waitForFunction(() => window.lattice.room.info().standing === 'operator', null, { timeout: 30_000 });
  await bravo.waitForFunction(() => window.lattice.peers().length === 1, null, { timeout: 30_000 });
  step('loading the default scenario');
  await alpha.evaluate(() => window.lattice.pipeline.load('default', 7));
  await bravo.waitForFunction(() => window.lattice.approvals().length > 0, null, { timeout: 90_000 });
  await bravo.waitForTimeout(2_000);
  await shoot(bravo, 'overview');

  step('approving an intercept');
  const target = await app(bravo, () => {
    const [first] = window.lattice.approvals();
    window.lattice.approve(first.entityId);
    return first.entityId;
  });
  await alpha.waitForFunction((id) => window.lattice.tasks().some((t) => t.targetId === id && t.status === 'executing'), target, { timeout: 30_000 });
  await alpha.waitForTimeout(6_000);
  await app(
    alpha,
    (id) => {
      const a = document.querySelector('lattice-app');
      a.selectedId = id;
      a.following = true;
      a.tab = 'inspector';
    },
    target,
  );
  await alpha.waitForTimeout(1_000);
  await shoot(alpha, 'inspector');
  await app(alpha, () => (document.querySelector('lattice-app').tab = 'tasks'));
  await alpha.waitForTimeout(1_000);
  await shoot(alpha, 'tasks');

  step('the track table, and the map tools: range rings and a measurement from the interceptor to its target');
  await app(alpha, () => (document.querySelector('lattice-app').following = false));
  await alpha.getByRole('tab', { name: 'Tracks' }).click();
  await alpha.getByRole('button', { name: 'Sort by Speed' }).click();
  await alpha.waitForTimeout(1_000);
  await shoot(alpha, 'tracks');
  const task = await app(alpha, (id) => window.lattice.tasks().find((t) => t.targetId === id), target);
  await alpha.getByRole('button', { name: 'Range rings' }).click();
  await alpha.getByRole('button', { name: 'Measure' }).click();
  for (const id of [task.assetId, task.targetId]) {
    const at = await app(
      alpha,
      (entity) => {
        const map = document.querySelector('lattice-app').shadowRoot.querySelector('lattice-map');
        const p = window.lattice.get(entity).components.position;
        const c = map.leaflet.latLngToContainerPoint([p.lat, p.lon]);
        const box = map.leaflet.getContainer().getBoundingClientRect();
        return { x: box.left + c.x, y: box.top + c.y };
      },
      id,
    );
    await alpha.mouse.click(at.x, at.y);
  }
  await alpha.waitForTimeout(500);
  await shoot(alpha, 'map-tools');
  await alpha.keyboard.press('Escape');
  await alpha.getByRole('button', { name: 'Range rings' }).click();
  await app(alpha, () => (document.querySelector('lattice-app').tab = 'pipeline'));
  await alpha.waitForTimeout(1_000);
  await shoot(alpha, 'pipeline');

  step('uplink budget: the computing node on a 64 kbps link');
  const computing = (await app(alpha, () => window.lattice.pipeline.status().pipeline?.role)) === 'computing' ? alpha : bravo;
  await app(computing, () => window.lattice.setBudget({ bytesPerSecond: 8000 }));
  await computing.getByRole('tab', { name: 'Mesh' }).click();
  await computing.waitForTimeout(6_000);
  await computing.evaluate(() => {
    const find = (root) => root.querySelector('lattice-budget-panel') ?? [...root.querySelectorAll('*')].map((e) => e.shadowRoot && find(e.shadowRoot)).find(Boolean);
    find(document)?.scrollIntoView();
  });
  await computing.waitForTimeout(500);
  await shoot(computing, 'budget');
  await app(computing, () => window.lattice.setBudget({ bytesPerSecond: 0 }));

  step('mesh panel with a third node, a cut link and an impaired one; then offline');
  const charlie = await open('Ops-West');
  await bravo.waitForFunction(() => window.lattice.peers().length === 2, null, { timeout: 30_000 });
  await app(bravo, () => {
    window.lattice.faults.cut('Ops-North', 'Ops-West');
    window.lattice.faults.impair({ node: 'Ops-West', latencyMs: 50, jitterMs: 20, loss: 0.02 });
  });
  await bravo.getByRole('tab', { name: 'Mesh' }).click();
  await bravo.waitForTimeout(3_000);
  await shoot(bravo, 'mesh');
  await app(bravo, () => window.lattice.faults.heal());
  step('members: the owner, two operators, and a viewer invitation');
  await alpha.getByRole('tab', { name: 'Members' }).click();
  await alpha.getByRole('form', { name: 'Invite' }).getByLabel('Role').selectOption('viewer');
  await alpha.getByRole('button', { name: 'Create invitation link' }).click();
  await alpha.waitForTimeout(1_000);
  await shoot(alpha, 'members');
  await charlie.context().close();
  await bravo.getByRole('button', { name: 'Go offline' }).click();
  await bravo.waitForTimeout(1_500);
  await shoot(bravo, 'offline');
  await bravo.getByRole('button', { name: 'Reconnect' }).click();

  step('a dense picture: 2,000 tracks written through the scripting API');
  const dense = await open('Dense', `${room}-dense`);
  await dense.evaluate(() => {
    const api = window.lattice;
    const affiliations = ['hostile', 'unknown', 'neutral', 'friend'];
    const levels = ['none', 'low', 'medium', 'high'];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let start = 0; start < 2000; start += 500) {
      api.transact(() => {
        for (let i = start; i < start + 500; i++) {
          api.create(`dense-${i}`, 'track', {
            position: { lat: 54 + random() * 5, lon: 10 + random() * 14, alt: 3000 },
            velocity: { speed: 80 + (i % 200), heading: (i * 37) % 360 },
            affiliation: { value: affiliations[i % 4] },
            threat: { level: levels[(i >> 2) % 4] },
            classification: { label: i % 3 === 0 ? 'military' : 'civilian', confidence: 0.8 },
          });
        }
      });
    }
  });
  await dense.waitForTimeout(4_000);
  await shoot(dense, 'dense-2000');
} finally {
  await browser.close();
  await server.close();
  signaling.kill();
}
for (const s of shots) console.log(`wrote ${s}`);
