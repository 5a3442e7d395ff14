/**
 * An input the page accepts must not stop the pipeline anywhere (issue 13): a peer loads a run
 * whose target flies over the North Pole. Before, every node's worker threw on every step once
 * the target crossed the pole, and restarted in a loop, also after reloads. Now the pipeline
 * tracks it over the pole and nothing fails, on every node.
 */
import { expect, test } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

test('a run over the pole, loaded by a peer, is computed and crashes no worker on any node', async ({ browser }) => {
  test.setTimeout(120_000);
  const room = freshRoom('pole');
  const nodes: OpenNode[] = [];
  for (const name of ['Honest-A', 'Honest-B', 'Mallory']) nodes.push(await openNode(browser, { room, name }));
  const mallory = nodes[2]!;
  try {
    for (const n of nodes) await waitUntil(async () => (await n.handle.peers()).length === 2, `${n.handle.label} sees the others`, 20_000);
    await mallory.page.evaluate(() =>
      window.lattice!.pipeline!.load({
        name: 'over the pole',
        durationS: 600,
        origin: { lat: 89.9, lon: 0 },
        // 2,000 kn due north from 11 km short of the pole: over it within about 11 s.
        targets: [{ id: 't1', start: { lat: 89.9, lon: 0 }, speedKn: 2_000, headingDeg: 0 }],
        sensors: [{ id: 'eo-1', kind: 'eo', position: { lat: 89.9, lon: 0 }, rateHz: 1, rangeM: 1_000_000 }],
      }),
    );
    const fusedLat = (n: OpenNode) =>
      n.page.evaluate(() => {
        const lats = window.lattice!.list('track').filter((e) => e.components.source?.sensorType === 'eo').map((e) => e.components.position!.lat);
        return lats.length === 0 ? undefined : Math.max(...lats);
      });
    await waitUntil(async () => ((await fusedLat(nodes[0]!)) ?? 0) > 89.99, 'a track near the pole reaches Honest-A', 45_000, async () => String(await fusedLat(nodes[0]!)));
    // Well past the crossing: the track has come down the other side, and no worker failed.
    await waitUntil(
      async () => (await nodes[0]!.page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.runTimeS ?? 0)) > 25,
      'the run goes on past the crossing',
      45_000,
    );
    for (const n of nodes) {
      const status = await n.page.evaluate(() => window.lattice!.pipeline!.status());
      expect(status.lastFault, `${n.handle.label}'s worker never failed`).toBeUndefined();
      expect(status.restarts).toBe(0);
      expect(status.state).toBe('running');
    }
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
