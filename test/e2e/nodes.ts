/**
 * Opens mesh nodes for Playwright tests: one browser context per node, so storage and
 * BroadcastChannel are not shared and links can be cut. Nodes are driven only through
 * `window.lattice`.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { MeshHarness, NodeHandle } from '../peer/meshAcceptance.js';

export const SIGNAL_PORT = Number(process.env.LATTICE_TEST_SIGNAL_PORT ?? 4445);
export const SIGNALING_URL = `ws://127.0.0.1:${SIGNAL_PORT}`;

let roomCounter = 0;
/** A room of its own for each test, so tests never see each other's nodes. */
export function freshRoom(prefix = 'e2e'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++roomCounter}`;
}

export interface NodeOptions {
  readonly room: string;
  readonly name: string;
  readonly signaling?: string;
  /** Extra query parameters, e.g. `{ password: 'x', watchdog: '0' }`. */
  readonly params?: Record<string, string>;
}

export interface OpenNode {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly handle: NodeHandle;
}

/** An open room unless the test gives an owner (tests of rooms' authority do). */
export function nodeUrl(options: NodeOptions): string {
  const open: Record<string, string> = options.params?.owner === undefined ? { open: '1' } : {};
  const params = new URLSearchParams({ room: options.room, name: options.name, signaling: options.signaling ?? SIGNALING_URL, ...open, ...options.params });
  return `./?${params.toString()}`;
}

export async function newNodeContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ permissions: ['camera', 'microphone'], baseURL: browserBaseUrl() });
}

function browserBaseUrl(): string {
  return `http://127.0.0.1:${Number(process.env.LATTICE_TEST_APP_PORT ?? 4173)}/`;
}

/** Opens (or reopens) the node page in `context` and waits for `lattice.ready`. */
export async function openPage(context: BrowserContext, options: NodeOptions): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${options.name}] page error: ${error.message}`));
  await page.goto(nodeUrl(options));
  await page.waitForFunction(() => window.lattice !== undefined, null, { timeout: 10_000 });
  await page.evaluate(() => window.lattice!.ready);
  return page;
}

export async function openNode(browser: Browser, options: NodeOptions): Promise<OpenNode> {
  const context = await newNodeContext(browser);
  const page = await openPage(context, options);
  return { context, page, handle: pageHandle(options.name, page) };
}

export function pageHandle(label: string, page: Page): NodeHandle {
  return {
    label,
    create: (id, type, components) => page.evaluate(([i, t, c]) => window.lattice!.create(i, t, c), [id, type, components ?? {}] as const),
    update: (id, components) => page.evaluate(([i, c]) => window.lattice!.update(i, c), [id, components] as const),
    delete: (id) => page.evaluate((i) => window.lattice!.delete(i), id),
    get: (id) => page.evaluate((i) => window.lattice!.get(i), id),
    ids: () => page.evaluate(() => window.lattice!.list().map((e) => e.id)),
    digest: () => page.evaluate(() => window.lattice!.digest()),
    clock: () => page.evaluate(() => window.lattice!.node.store.now()),
    connect: () => page.evaluate(() => window.lattice!.connect()),
    disconnect: () => page.evaluate(() => window.lattice!.disconnect()),
    peers: () => page.evaluate(() => window.lattice!.peers()),
    status: () => page.evaluate(() => window.lattice!.status()),
    createMany: (prefix, count) =>
      page.evaluate(
        ([p, n]) => {
          const api = window.lattice!;
          for (let i = 0; i < n; i += 500) {
            api.transact(() => {
              for (let j = i; j < Math.min(n, i + 500); j++) {
                api.create(`${p}${j}`, 'track', { position: { lat: (j % 180) - 89.5, lon: (j % 360) - 179.5, alt: j }, velocity: { speed: j % 300, heading: j % 360 }, classification: { label: `label-${j % 17}`, confidence: 0.75 } });
              }
            });
          }
        },
        [prefix, count] as const,
      ),
    stateBytes: () => page.evaluate(() => window.lattice!.documentBytes()),
    inject: (bytes) =>
      page.evaluate((b) => {
        // Straight onto the links, past every check of the sending node.
        (window.lattice!.node as any).transport.injectRaw(Uint8Array.from(b));
      }, bytes),
  };
}

/** A harness for the acceptance suite: nodes in fresh contexts, one room per scenario. */
export class PageHarness implements MeshHarness {
  readonly timeoutMs = 15_000;
  readonly contexts: BrowserContext[] = [];
  private readonly room = freshRoom('acceptance');

  constructor(private readonly browser: Browser) {}

  async open(label: string): Promise<NodeHandle> {
    const node = await openNode(this.browser, { room: this.room, name: label });
    this.contexts.push(node.context);
    return node.handle;
  }

  async close(): Promise<void> {
    await Promise.all(this.contexts.map((c) => c.close()));
  }
}
