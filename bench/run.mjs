#!/usr/bin/env node
// `npm run bench [suite…]`: runs every suite in real Chromium, prints one table with each
// figure beside its baseline, and writes bench/results.json (one key per figure).
//  - bench/suites/NAME.bench.ts  runs inside a page (default export: () => Promise<BenchFigure[]>)
//  - bench/suites/NAME.bench.mjs runs in Node and drives browsers itself
//    (export async function run(ctx) → BenchFigure[], ctx = { newBrowser, appUrl, signalingUrl })
import { readdirSync, writeFileSync } from 'node:fs';
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
const signaling = spawn(process.execPath, ['scripts/signaling.mjs', '--port', String(signalingPort)], { cwd: root, stdio: 'ignore' });
const signalingUrl = `ws://127.0.0.1:${signalingPort}`;
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
        figures.push(...(await mod.run({ newBrowser, appUrl, signalingUrl })));
      } else {
        const browser = await newBrowser();
        const page = await browser.newPage();
        page.on('console', (m) => m.type() === 'error' && process.stderr.write(`  [${name}] ${m.text()}\n`));
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
  signaling.kill();
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

const results = {};
for (const f of figures) {
  results[f.key] = f.value;
  if (f.baseline) results[f.baseline.key] = f.baseline.value;
}
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results.json (${Object.keys(results).length} figures)`);
process.exit(failed ? 1 : 0);
