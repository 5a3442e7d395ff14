// Where the Chromium used by tests, benches and screenshots lives. Debian's package by default
// (Playwright cannot download its own browser on machines without internet); LATTICE_CHROMIUM
// overrides it; on machines where neither exists, Playwright's own browser is the fallback.
import { existsSync } from 'node:fs';

export const chromiumPath = (() => {
  const fromEnv = process.env.LATTICE_CHROMIUM;
  if (fromEnv) return fromEnv;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
})();

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
  ...(chromiumPath ? { executablePath: chromiumPath } : {}),
};
