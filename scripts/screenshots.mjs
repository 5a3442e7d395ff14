#!/usr/bin/env node
// `npm run screenshots`: opens the app in headless Chromium and writes docs/screenshots/*.png.
// By default it serves the repository with Vite and drives the UI demo page (in-memory nodes
// with sample traffic); LATTICE_SCREENSHOT_URL points it at any running app page instead,
// e.g. `npm start` then LATTICE_SCREENSHOT_URL=http://127.0.0.1:5173/ npm run screenshots.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { launchOptions } from './browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(outDir, { recursive: true });

let server;
let base = process.env.LATTICE_SCREENSHOT_URL;
if (!base) {
  server = await createServer({ root, logLevel: 'warn', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  base = `${server.resolvedUrls.local[0]}ui-demo.html`;
}

const browser = await chromium.launch(launchOptions);
const shots = [];
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  page.on('console', (m) => m.type() === 'error' && process.stderr.write(`console: ${m.text()}\n`));

  const app = () => page.locator('lattice-app');
  const ready = async () => {
    await app().waitFor({ timeout: 30_000 });
    // Wait until the node is mounted, the basemap has arrived and whatever the node holds is drawn.
    await page.waitForFunction(
      () => {
        const a = document.querySelector('lattice-app');
        const map = a?.shadowRoot?.querySelector('lattice-map');
        return Boolean(a?.node && a.basemap && map?.tracks && map.tracks.lastStats.total === a.node.store.list().filter((e) => e.components.position).length);
      },
      null,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(1500);
  };
  const shoot = async (name) => {
    const path = fileURLToPath(new URL(`${name}.png`, outDir));
    await page.screenshot({ path });
    shots.push(path);
  };

  await page.goto(base.includes('?') ? base : `${base}?tracks=400`);
  await ready();
  // Let history trails build up (a dot every 5 s) before the first picture, if tracks move.
  await page
    .waitForFunction(
      () => {
        const a = document.querySelector('lattice-app');
        const map = a.shadowRoot.querySelector('lattice-map');
        const tracks = a.node.store.list('track');
        return tracks.filter((e) => map.tracks.trailLength(e.id) >= 3).length >= Math.min(50, tracks.length / 2);
      },
      null,
      { timeout: 30_000, polling: 500 },
    )
    .catch(() => process.stderr.write('screenshots: tracks are not moving; the overview has no trails\n'));
  await shoot('overview');

  // Select the most interesting track (fused, high threat, awaiting approval) and inspect it, zoomed in.
  const selected = await page.evaluate(() => {
    const a = document.querySelector('lattice-app');
    const tracks = a.node.store.list().filter((e) => e.components.position);
    const score = (e) => (e.components.fusion ? 4 : 0) + (e.components.threat?.level === 'high' ? 2 : 0) + (e.components.approval ? 1 : 0);
    const target = tracks.sort((x, y) => score(y) - score(x))[0];
    if (!target) return undefined;
    a.selectedId = target.id;
    const map = a.shadowRoot.querySelector('lattice-map');
    const p = target.components.position;
    map.leaflet.setView([p.lat, p.lon], 9, { animate: false });
    a.following = true;
    return target.id;
  });
  if (selected) {
    await page.waitForTimeout(3500);
    await shoot('inspector');
  } else {
    process.stderr.write('screenshots: the node holds no entity with a position; no inspector picture\n');
  }

  // Mesh panel, then the same node offline.
  await page.getByRole('tab', { name: 'Mesh' }).click();
  await page.waitForTimeout(1200);
  await shoot('mesh');
  await page.getByRole('button', { name: 'Go offline' }).click();
  await page.waitForTimeout(1200);
  await shoot('offline');

  // The track list, the keyboard way to select.
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await page.getByRole('tab', { name: 'Tracks' }).click();
  await page.waitForTimeout(800);
  await shoot('tracks');

  // A dense picture: 2,000 tracks.
  if (!process.env.LATTICE_SCREENSHOT_URL) {
    await page.goto(`${base}?tracks=2000`);
    await ready();
    await shoot('dense-2000');
  }
} finally {
  await browser.close();
  await server?.close();
}
for (const s of shots) console.log(`wrote ${s}`);
