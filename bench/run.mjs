#!/usr/bin/env node
// `npm run bench [suite…]`: runs every suite in real Chromium, prints one table with each
// figure beside its baseline, and writes bench/results.json (one key per figure).
//  - bench/suites/NAME.bench.ts  runs inside a page (default export: () => Promise<BenchFigure[]>)
//  - bench/suites/NAME.bench.mjs runs in Node and drives browsers itself
//    (export async function run(ctx) → BenchFigure[], ctx = { newBrowser, appUrl, signalingUrl,
//    stopSignaling, startSignaling }: a suite may stop the signaling server and start it again on
//    the same port; it is running again when the next suite starts)
// With suites named, bench/results.json keeps the figures of the suites not run.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { launchOptions } from '../scripts/browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(new URL('./suites/', import.meta.url))
  .filter((f) => /\.bench\.(ts|mjs)$/.test(f))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.(ts|mjs)$/, '')))
  .sort();

const server = await createServer({ root, logLevel: 'warn', server: { port: 0, host: '127.0.0.1' } });
await server.listen();
const appUrl = server.resolvedUrls.local[0];
const signalingPort = 4600 + Math.floor(Math.random() * 300);
const signalingUrl = `ws://127.0.0.1:${signalingPort}`;
/** Whether something accepts TCP connections on the signaling port. */
const signalingListens = () =>
  new Promise((resolve) => {
    const socket = connect(signalingPort, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
async function until(probe, what, timeoutMs = 10_000) {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > timeoutMs) throw new Error(`bench: timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
let signaling;
/** Starts the signaling server (if stopped) and resolves once it listens. */
async function startSignaling() {
  if (signaling) return;
  signaling = spawn(process.execPath, ['scripts/signaling.mjs', '--port', String(signalingPort)], { cwd: root, stdio: 'ignore' });
  await until(signalingListens, `the signaling server listens on ${signalingPort}`);
}
/** Stops the signaling server and resolves once its port is closed. */
async function stopSignaling() {
  const child = signaling;
  if (!child) return;
  signaling = undefined;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
  await until(async () => !(await signalingListens()), `port ${signalingPort} is closed`);
}
await startSignaling();
const browsers = [];
const newBrowser = async () => {
  const b = await chromium.launch({ ...launchOptions, args: [...launchOptions.args, '--enable-precise-memory-info', '--js-flags=--expose-gc'] });
  browsers.push(b);
  return b;
};

const figures = [];
let failed = false;
try {
  for (const file of files) {
    const name = file.replace(/\.bench\.(ts|mjs)$/, '');
    process.stderr.write(`bench: ${name}…\n`);
    try {
      if (file.endsWith('.mjs')) {
        const mod = await import(pathToFileURL(`${root}/bench/suites/${file}`).href);
        await startSignaling();
        figures.push(...(await mod.run({ newBrowser, appUrl, signalingUrl, stopSignaling, startSignaling })));
      } else {
        const browser = await newBrowser();
        const page = await browser.newPage();
        // Errors, and what a suite reports with console.info (details beside its figures).
        page.on('console', (m) => (m.type() === 'error' || m.type() === 'info') && process.stderr.write(`  [${name}] ${m.text()}\n`));
        await page.goto(`${appUrl}bench/index.html?suite=${name}`);
        await page.waitForFunction(() => window.__benchResult !== undefined, null, { timeout: 15 * 60_000 });
        const result = await page.evaluate(() => window.__benchResult);
        if (result.error) throw new Error(result.error);
        figures.push(...result.figures);
        await browser.close();
      }
    } catch (error) {
      failed = true;
      process.stderr.write(`bench: ${name} failed: ${error?.stack ?? error}\n`);
    }
  }
} finally {
  await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  await stopSignaling().catch(() => undefined);
  await server.close();
}

const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3))));
const rows = figures.map((f) => [
  f.key,
  `${fmt(f.value)} ${f.unit}`,
  f.goal ?? '',
  f.ok === undefined ? '' : f.ok ? 'met' : 'MISSED',
  f.baseline ? `${f.baseline.key} = ${fmt(f.baseline.value)}` : '',
  f.baseline && f.baseline.value !== 0 ? `${fmt(f.value / f.baseline.value)}×` : '',
]);
const header = ['figure', 'value', 'goal', '', 'baseline (same run)', 'ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));

const resultsFile = new URL('./results.json', import.meta.url);
let results = {};
if (only.length > 0 && existsSync(resultsFile)) {
  // A partial run replaces the figures of the suites it ran and keeps the others.
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    results = {};
  }
}
for (const f of figures) {
  results[f.key] = f.value;
  if (f.baseline) results[f.baseline.key] = f.baseline.value;
}
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results.json (${Object.keys(results).length} figures)`);
process.exit(failed ? 1 : 0);
