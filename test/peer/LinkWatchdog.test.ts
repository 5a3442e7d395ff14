import { LinkWatchdog, type WatchedLink } from '../../src/peer/LinkWatchdog.js';
import { checkEqual } from './check.js';

function setup(links: WatchedLink[]) {
  let now = 10_000;
  const pinged: string[] = [];
  const replaced: string[] = [];
  const dog = new LinkWatchdog(
    { list: () => links, ping: (id) => pinged.push(id), replace: (id) => replaced.push(id) },
    undefined,
    { silenceMs: 4000, openTimeoutMs: 10_000, now: () => now },
  );
  return { dog, pinged, replaced, advance: (ms: number) => (now += ms) };
}

describe('LinkWatchdog', () => {
  it('leaves busy links alone and pings quiet ones', () => {
    const t = setup([
      { id: 'busy', open: true, createdAt: 9000, openedAt: 9500, lastReceived: 9900 },
      { id: 'quiet', open: true, createdAt: 1000, openedAt: 1500, lastReceived: 7500 },
    ]);
    t.dog.check();
    checkEqual([t.pinged, t.replaced], [['quiet'], []], 'the quiet link is pinged, none replaced');
  });

  it('replaces an open link that has been silent longer than silenceMs', () => {
    const t = setup([
      { id: 'quiet', open: true, createdAt: 1000, openedAt: 1500, lastReceived: 5000 },
      { id: 'never-heard', open: true, createdAt: 1000, openedAt: 2000, lastReceived: null },
      { id: 'fresh', open: true, createdAt: 9000, openedAt: 9000, lastReceived: null },
    ]);
    t.dog.check();
    checkEqual(t.replaced, ['quiet', 'never-heard'], 'the silent links are replaced');
    checkEqual(t.pinged, [], 'a link that just opened gets time to speak');
    checkEqual(t.dog.replaced, 2, 'replacements are counted');
  });

  it('replaces a link that never opens, after openTimeoutMs', () => {
    const t = setup([{ id: 'stuck', open: false, createdAt: 5000, openedAt: null, lastReceived: null }]);
    t.dog.check();
    checkEqual(t.replaced, [], 'not yet');
    t.advance(6000);
    t.dog.check();
    checkEqual(t.replaced, ['stuck'], 'replaced once the open timeout passed');
  });
});
