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
    // Wait until the map has drawn tracks and the basemap has arrived.
    await page.waitForFunction(
      () => {
        const a = document.querySelector('lattice-app');
        const map = a?.shadowRoot?.querySelector('lattice-map');
        return Boolean(a?.basemap && map?.tracks && map.tracks.lastStats.drawn > 0);
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
  // Let history trails build up (a dot every 5 s) before the first picture.
  await page.waitForFunction(
    () => {
      const a = document.querySelector('lattice-app');
      const map = a.shadowRoot.querySelector('lattice-map');
      return a.node.store.list('track').filter((e) => map.tracks.trailLength(e.id) >= 3).length > 50;
    },
    null,
    { timeout: 60_000, polling: 500 },
  );
  await shoot('overview');

  // Select the most threatening fused track and inspect it, zoomed in.
  await page.evaluate(() => {
    const a = document.querySelector('lattice-app');
    const store = a.node.store;
    const target = store.list('track').find((e) => e.components.fusion && e.components.threat?.level === 'high' && e.components.approval) ??
      store.list('track').find((e) => e.components.fusion);
    a.selectedId = target.id;
    const map = a.shadowRoot.querySelector('lattice-map');
    const p = target.components.position;
    map.leaflet.setView([p.lat, p.lon], 9, { animate: false });
    a.following = true;
  });
  await page.waitForTimeout(3500);
  await shoot('inspector');

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
