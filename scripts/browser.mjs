// Where the Chromium used by tests, benches and screenshots lives, first found of:
// - LATTICE_CHROMIUM, a path given;
// - Debian's package, /usr/bin/chromium;
// - Playwright's own browser, if one was installed (`npx playwright install` needs internet);
// - @sparticuz/chromium, a Chromium inside an npm package (a dev dependency), unpacked on first use,
//   so that `npm ci && npm test` is enough on a fresh Linux x64 machine with nothing else.
// LATTICE_BROWSER=npm skips the first three (to try the fallback where the others exist).
// One line says which browser the run uses.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

function findChromium() {
  const npmOnly = process.env.LATTICE_BROWSER === 'npm';
  if (!npmOnly && process.env.LATTICE_CHROMIUM) return { path: process.env.LATTICE_CHROMIUM, from: 'LATTICE_CHROMIUM' };
  if (!npmOnly && existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', from: "Debian's chromium package" };
  const playwrights = chromium.executablePath();
  if (!npmOnly && playwrights && existsSync(playwrights)) return { path: playwrights, from: "Playwright's own browser" };
  // Unpacking is asynchronous; a child process keeps this module's exports plain values.
  const path = execFileSync(process.execPath, ['-e', "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => process.stdout.write(p))"], { encoding: 'utf8' });
  return { path, from: '@sparticuz/chromium (from the npm registry)' };
}

const found = findChromium();

export const chromiumPath = found.path;

if (!process.env.LATTICE_BROWSER_SAID) {
  process.env.LATTICE_BROWSER_SAID = '1';
  console.log(`browser: ${found.from}, ${found.path}`);
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--allow-loopback-in-peer-connection',
];

export const launchOptions = {
  headless: true,
  args: chromiumArgs,
  executablePath: chromiumPath,
};
