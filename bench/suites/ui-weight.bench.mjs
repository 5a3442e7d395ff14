// `ui.first_load_kb`: the compressed JavaScript a node downloads to show its first screen.
// Builds the app as published (no sourcemaps) into a temporary directory, serves the build,
// opens a node alone in a room with service workers blocked (the worker's background precache
// of the whole build is not part of showing the page), waits until the node is ready and the
// network idle, and
// sums the gzip size (level 6, a web server's usual) of every JavaScript file the page and its
// workers fetched. Baseline, same build: all the JavaScript in it, as if everything loaded at
// once, so the ratio is the share the first load takes.
// Also told (console): the same once a first track is on the map (map symbols then load).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const GOAL_KB = 250;
const root = fileURLToPath(new URL('../..', import.meta.url));

const gzipKb = (file) => gzipSync(readFileSync(file), { level: 6 }).length / 1024;

export async function run({ newBrowser, signalingUrl }) {
  const outDir = mkdtempSync(join(tmpdir(), 'lattice-weight-'));
  let server;
  try {
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
    server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
    const base = server.resolvedUrls.local[0];
    const browser = await newBrowser();
    const context = await browser.newContext({ serviceWorkers: 'block', permissions: ['camera', 'microphone'] });
    const fetched = new Set();
    // Requests of the page and of its dedicated workers (the pipeline runs in one).
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === new URL(base).origin) fetched.add(url.pathname);
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stderr.write(`  [ui-weight] ${e.message}\n`));
    const params = new URLSearchParams({ room: `weight-${Date.now().toString(36)}`, name: 'Weight', signaling: signalingUrl });
    await page.goto(`${base}?${params}`);
    await page.waitForFunction(() => window.lattice !== undefined, null, { timeout: 60_000 });
    // Ready: the node's pipeline worker starts then.
    await page.evaluate(() => window.lattice.ready);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1000);
    await page.waitForLoadState('networkidle');
    const jsOf = (paths) => [...paths].filter((p) => p.endsWith('.js')).map((p) => join(outDir, decodeURIComponent(p).replace(/^\//, '')));
    const firstLoad = jsOf(fetched);
    const firstKb = firstLoad.reduce((sum, f) => sum + gzipKb(f), 0);
    // A first track: the map's symbols load now.
    await page.evaluate(() =>
      window.lattice.create('weight-1', 'track', { position: { lat: 57, lon: 18, alt: 1000 }, affiliation: { value: 'hostile' }, source: { sensorId: 'fusion', sensorType: 'fused' } }),
    );
    await page.waitForFunction(() => document.querySelector('lattice-app').shadowRoot.querySelector('lattice-map').tracks?.lastStats.symbols === 1, null, { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);
    await page.waitForLoadState('networkidle');
    const withTrackKb = jsOf(fetched).reduce((sum, f) => sum + gzipKb(f), 0);
    const allJs = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js')).map((f) => join(outDir, 'assets', f));
    const allKb = allJs.reduce((sum, f) => sum + gzipKb(f), 0);
    const maps = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.map'));
    console.error(
      `  [ui-weight] first load: ${firstLoad.map((f) => `${f.split('/').pop()} ${gzipKb(f).toFixed(1)} KB`).join(', ')}; ` +
        `with a first track drawn ${withTrackKb.toFixed(1)} KB; all JavaScript in the build ${allKb.toFixed(1)} KB; sourcemaps in the build: ${maps.length}`,
    );
    await context.close();
    return [
      {
        key: 'ui.first_load_kb',
        value: firstKb,
        unit: 'KB',
        goal: `≤ ${GOAL_KB}`,
        ok: firstKb <= GOAL_KB,
        baseline: { key: 'ui.all_js_kb', value: allKb },
      },
    ];
  } finally {
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
