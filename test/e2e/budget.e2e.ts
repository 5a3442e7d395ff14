/**
 * The uplink budget between real nodes (one browser context each, WebRTC): at 1 kB/s with 200
 * tracks moving, a high-threat change still reaches the other node quickly while positions are
 * decimated; the bytes the data channel itself reports sent stay within budget plus burst; and
 * once the budget is lifted both nodes converge.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode } from './nodes.js';

declare global {
  interface Window {
    __mover?: ReturnType<typeof setInterval>;
    __positionsSeen?: number;
  }
}

/** Bytes every data channel of the node reports sent (RTCPeerConnection stats, not our own count). */
async function channelBytesSent(page: Page): Promise<number> {
  return page.evaluate(async () => {
    type Session = { link: { kind: string; pc: RTCPeerConnection } };
    const sessions = (window.lattice!.node as unknown as { transport: { sessions: Map<string, Session> } }).transport.sessions;
    let sent = 0;
    for (const session of sessions.values()) {
      if (session.link.kind !== 'webrtc') continue;
      const stats = await session.link.pc.getStats();
      stats.forEach((s: { type: string; bytesSent?: number }) => {
        if (s.type === 'data-channel') sent += s.bytesSent ?? 0;
      });
    }
    return sent;
  });
}

test('at 1 kB/s a high-threat change overtakes 200 moving tracks, egress stays within budget plus burst, and lifting the budget converges', async ({ browser }) => {
  test.setTimeout(90_000);
  const room = freshRoom('budget');
  const a = await openNode(browser, { room, name: 'alpha', params: { budget: '8000' } });
  const b = await openNode(browser, { room, name: 'bravo' });
  try {
    expect(await a.page.evaluate(() => window.lattice!.budget())).toEqual({ bytesPerSecond: 8000, burstBytes: 8000 });
    for (const n of [a, b]) await waitUntil(async () => (await n.handle.peers()).length === 1, `${n.handle.label} sees its peer`, 15_000);
    await a.page.evaluate(() => window.lattice!.setBudget({ bytesPerSecond: 0 }));
    await a.handle.createMany('t', 200);
    await waitUntil(async () => (await b.handle.ids()).length === 200, 'bravo has the 200 tracks', 15_000);

    const rate = 1000;
    const burst = 1024;
    await b.page.evaluate(() => {
      window.__positionsSeen = 0;
      window.lattice!.watch((events) => {
        for (const e of events) if (e.components.includes('position')) window.__positionsSeen!++;
      });
    });
    const started = Date.now();
    const sentBefore = await channelBytesSent(a.page);
    await a.page.evaluate(
      ([r, bu]) => {
        window.lattice!.setBudget({ bytesPerSecond: r, burstBytes: bu });
        let step = 0;
        window.__mover = setInterval(() => {
          step++;
          window.lattice!.transact(() => {
            for (let i = 0; i < 200; i++) window.lattice!.update(`t${i}`, { position: { lat: 10 + step / 1e4, lon: i / 100, alt: 1000 } });
          });
        }, 250);
      },
      [rate, burst] as const,
    );
    await new Promise((r) => setTimeout(r, 2500));
    const changed = Date.now();
    await a.handle.update('t7', { threat: { level: 'high' } });
    await waitUntil(async () => (await b.handle.get('t7'))?.components.threat?.level === 'high', 'bravo sees the high threat', 3000);
    const latency = Date.now() - changed;
    await new Promise((r) => setTimeout(r, 2000));
    const sentAfter = await channelBytesSent(a.page);
    const elapsed = Date.now() - started;
    const traffic = await a.page.evaluate(() => {
      clearInterval(window.__mover);
      return window.lattice!.traffic();
    });
    const made = Math.floor(elapsed / 250) * 200;
    const seen = await b.page.evaluate(() => window.__positionsSeen!);
    console.log(`budget e2e: high-threat latency ${latency} ms; positions seen ${seen} of ~${made}; data channel sent ${sentAfter - sentBefore} B in ${elapsed} ms (bound ${burst + (rate * elapsed) / 1000}); coalesced ${traffic.coalesced}`);
    expect(latency).toBeLessThan(3000);
    expect(seen).toBeLessThan(made * 0.25);
    expect(traffic.coalesced).toBeGreaterThan(0);
    // Measured by the browser's data channel; the stats include SCTP message framing we do not count, so none is forgiven.
    expect(sentAfter - sentBefore).toBeLessThanOrEqual(burst + (rate * elapsed) / 1000);

    await a.page.evaluate(() => window.lattice!.setBudget({ bytesPerSecond: 0 }));
    await waitUntil(async () => (await a.handle.digest()) === (await b.handle.digest()), 'both nodes converge once the budget is lifted', 15_000);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});
