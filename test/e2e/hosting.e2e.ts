/**
 * Static hosting: the built `dist/` works from any host under any base path. Served here by a
 * plain file server under /field/kit/, a node starts, mounts the UI, registers its service
 * worker and reloads from the cache with the server gone.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { expect, test } from '@playwright/test';

const DIST = join(process.cwd(), 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };

function serveUnder(prefix: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(prefix)) return void res.writeHead(404).end();
    const rel = normalize(path.slice(prefix.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(DIST, rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}${prefix}` })));
}

test('dist/ runs under a nested base path and reloads offline from its service worker', async ({ browser }) => {
  const { server, url } = await serveUnder('/field/kit/');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}?room=hosting&signaling=none&name=Kit`);
    await page.waitForFunction(() => window.lattice !== undefined, null, { timeout: 15_000 });
    await expect(page.locator('lattice-status-bar')).toContainText('Kit');
    await page.evaluate(() => window.lattice!.create('pinned', 'geo', { position: { lat: 1, lon: 2, alt: 0 } }));
    await page.evaluate(() => navigator.serviceWorker.ready);
    const manifest = await page.evaluate(async () => (await caches.keys()).length > 0 && (await caches.match('manifest.webmanifest', { ignoreSearch: true })) !== undefined);
    expect(manifest).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await page.reload();
    await page.waitForFunction(() => window.lattice !== undefined, null, { timeout: 15_000 });
    await page.evaluate(() => window.lattice!.ready);
    expect(await page.evaluate(() => window.lattice!.get('pinned')?.type)).toBe('geo');
  } finally {
    await context.close();
    server.close();
  }
});
