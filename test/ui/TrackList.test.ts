/**
 * The track table: speed, heading, altitude and age per track, sorted by any column from its
 * header, and driven from the keyboard (↑ ↓ select for the map and stay, Enter inspects).
 */
import * as Y from 'yjs';
import { sendKeys } from '@web/test-runner-commands';
import { EntityStore } from '../../src/crdt/index.js';
import '../../src/ui/panels/TrackList.js';
import type { EntitySelectDetail } from '../../src/ui/map/LatticeMap.js';
import type { TrackSort } from '../../src/ui/panels/TrackList.js';
import { trackName } from '../../src/ui/trackName.js';
import { check, checkEqual, cleanup, collect, fixture } from './assert.js';

function picture(): EntityStore {
  let now = Date.UTC(2026, 0, 1, 12);
  const store = new EntityStore(new Y.Doc(), { node: 'n1', physicalNow: () => now });
  store.create('slow', 'track', { position: { lat: 57, lon: 18, alt: 300 }, velocity: { speed: 50, heading: 10 }, threat: { level: 'low' } });
  now += 20_000;
  store.create('fast', 'track', { position: { lat: 57.1, lon: 18, alt: 9000 }, velocity: { speed: 300, heading: 200 }, threat: { level: 'high' } });
  now += 20_000;
  store.create('mid', 'track', { position: { lat: 57.2, lon: 18, alt: 4000 }, velocity: { speed: 150, heading: 95 }, threat: { level: 'medium' } });
  store.create('task-x', 'task', {});
  return store;
}

describe('<lattice-track-list>', () => {
  afterEach(cleanup);

  async function table() {
    const store = picture();
    const list = fixture('lattice-track-list', 420, 400);
    list.now = () => Date.UTC(2026, 0, 1, 12) + 60_000;
    list.entities = store.list();
    // The app keeps the sort; here the test plays the app.
    list.addEventListener('track-sort', (e) => (list.sort = (e as CustomEvent<TrackSort>).detail));
    await list.updateComplete;
    const root = list.shadowRoot!;
    const ids = () => [...root.querySelectorAll<HTMLElement>('tbody tr')].map((r) => r.dataset.id);
    const cells = (id: string) => [...root.querySelectorAll(`tr[data-id="${id}"] td`)].map((td) => td.textContent!.replace(/\s+/g, ' ').trim());
    const header = (name: string) => [...root.querySelectorAll<HTMLButtonElement>('th button')].find((b) => b.getAttribute('aria-label') === `Sort by ${name}`)!;
    return { list, root, ids, cells, header };
  }

  it('shows speed, heading, altitude and age of every track with a place, most threatening first', async () => {
    const { ids, cells, root } = await table();
    checkEqual(ids(), ['fast', 'mid', 'slow'], 'threat first; the task (no place) is not listed');
    const [name, threat, speed, heading, alt, age] = cells('fast');
    check(name!.startsWith(trackName({ id: 'fast', type: 'track' } as never)), `name: ${name}`);
    checkEqual([threat, speed, heading, alt, age], ['high', '583', '200°', '9,000', '40 s'], 'the row says it all');
    checkEqual(root.querySelector('table')!.getAttribute('role'), 'grid', 'a grid');
    checkEqual(root.querySelector('th[aria-sort=descending] button')!.getAttribute('aria-label'), 'Sort by Threat', 'sorted by threat, said so');
  });

  it('sorts by a column from its header, and again the other way', async () => {
    const { list, ids, header, root } = await table();
    const sorts = collect<TrackSort>(document.body, 'track-sort');
    header('Speed').click();
    await list.updateComplete;
    checkEqual(ids(), ['fast', 'mid', 'slow'], 'fastest first');
    header('Speed').click();
    await list.updateComplete;
    checkEqual(ids(), ['slow', 'mid', 'fast'], 'slowest first');
    checkEqual(root.querySelector('th[aria-sort=ascending] button')!.getAttribute('aria-label'), 'Sort by Speed', 'aria-sort says it');
    header('Altitude').click();
    await list.updateComplete;
    checkEqual(ids(), ['fast', 'mid', 'slow'], 'highest first');
    header('Age').click();
    await list.updateComplete;
    checkEqual(ids(), ['mid', 'fast', 'slow'], 'youngest first');
    header('Heading').click();
    await list.updateComplete;
    checkEqual(ids(), ['slow', 'mid', 'fast'], 'by heading');
    checkEqual(sorts.map((s) => `${s.key} ${s.direction}`), ['speed descending', 'speed ascending', 'altitude descending', 'age ascending', 'heading ascending'], 'the app is told, to keep it');
  });

  it('is one tab stop; arrows select for the map and stay, Enter inspects', async () => {
    const { list, root } = await table();
    const selects = collect<EntitySelectDetail>(document.body, 'entity-select');
    const stops = [...root.querySelectorAll('tbody tr[tabindex="0"]')];
    checkEqual(stops.length, 1, 'one row takes the tab stop');
    (stops[0] as HTMLElement).focus();
    await sendKeys({ press: 'ArrowDown' });
    await list.updateComplete;
    checkEqual(selects.at(-1), { entityId: 'mid', keepTab: true }, 'down selects the next track, keeping the table');
    list.selectedId = 'mid';
    await list.updateComplete;
    checkEqual((root.activeElement as HTMLElement | null)?.dataset.id, 'mid', 'focus moved with it');
    checkEqual(root.querySelector('tr[aria-selected=true]')?.getAttribute('data-id'), 'mid', 'shown selected');
    await sendKeys({ press: 'End' });
    await list.updateComplete;
    checkEqual(selects.at(-1), { entityId: 'slow', keepTab: true }, 'End: the last');
    await sendKeys({ press: 'Home' });
    await list.updateComplete;
    checkEqual(selects.at(-1), { entityId: 'fast', keepTab: true }, 'Home: the first');
    await sendKeys({ press: 'Enter' });
    checkEqual(selects.at(-1), { entityId: 'fast', keepTab: false }, 'Enter opens the inspector');
  });
});
