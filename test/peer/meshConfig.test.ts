import { readMeshConfig } from '../../src/peer/meshConfig.js';
import { claimNodeIdentity, loadNodeIdentity } from '../../src/peer/nodeIdentity.js';
import { readPresence } from '../../src/peer/presence.js';
import { check, checkEqual } from './check.js';

class MapStorage {
  readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
}

describe('readMeshConfig', () => {
  it('reads room, signaling servers, password and role from the URL', () => {
    const c = readMeshConfig(new URL('http://10.0.0.5:5173/?room=alpha&signaling=ws://a:1,wss://b:2&password=pw&role=viewer&name=Bravo&watchdog=0'));
    checkEqual([c.room, c.signaling, c.password, c.role, c.name, c.watchdog, c.problems], ['alpha', ['ws://a:1', 'wss://b:2'], 'pw', 'viewer', 'Bravo', false, []], 'all read');
  });

  it('defaults to the signaling server npm start runs, on the page host', () => {
    const c = readMeshConfig(new URL('http://10.0.0.5:5173/'));
    checkEqual([c.room, c.signaling, c.password, c.role], ['lattice', ['ws://10.0.0.5:4444'], undefined, undefined], 'defaults');
    checkEqual(readMeshConfig(new URL('https://h/?signaling=none')).signaling, [], 'none = BroadcastChannel only');
  });

  it('turns bad values into problems a person can read, and falls back', () => {
    const c = readMeshConfig(new URL('http://h/?room=%3Cscript%3E&signaling=http://x,ws://ok&role=admin'));
    checkEqual([c.room, c.signaling, c.role], ['lattice', ['ws://ok'], undefined], 'fallbacks');
    checkEqual(c.problems.length, 3, 'three problems');
    check(c.problems.every((p) => p.length > 20), 'each problem is a sentence');
  });
});

describe('loadNodeIdentity', () => {
  it('keeps the node id across reloads (same storage) and differs between tabs', () => {
    const tab = new MapStorage();
    const first = loadNodeIdentity(tab);
    const reloaded = loadNodeIdentity(tab);
    const other = loadNodeIdentity(new MapStorage());
    checkEqual(reloaded, first, 'a reload keeps the identity');
    check(other.nodeId !== first.nodeId, 'another tab gets another id');
    checkEqual(first.role, 'operator', 'operator by default');
  });

  it('takes name and role from the URL and keeps them', () => {
    const tab = new MapStorage();
    loadNodeIdentity(tab, { name: 'Eagle', role: 'viewer' });
    const again = loadNodeIdentity(tab);
    checkEqual([again.name, again.role], ['Eagle', 'viewer'], 'kept');
  });

  it('gives a duplicated tab (same sessionStorage copy) an id of its own', async () => {
    const original = new MapStorage();
    const first = await claimNodeIdentity(original, { name: 'Dup' });
    const copy = new MapStorage();
    for (const [k, v] of original.map) copy.setItem(k, v);
    const duplicate = await claimNodeIdentity(copy);
    check(duplicate.nodeId !== first.nodeId, 'the duplicate takes a new id');
    checkEqual(copy.getItem('lattice.nodeId'), duplicate.nodeId, 'and keeps it for its reloads');
    checkEqual(duplicate.name, 'Dup', 'name and role are inherited');
  });

  it('replaces a tampered stored id', () => {
    const tab = new MapStorage();
    tab.setItem('lattice.nodeId', 'bad id with spaces');
    check(/^[A-Za-z0-9_-]+$/.test(loadNodeIdentity(tab).nodeId), 'a valid id');
  });
});

describe('readPresence', () => {
  const good = { lattice: { v: 1, nodeId: 'n1', name: 'A', role: 'operator', peerId: 'p', since: 1, digest: '0:0' } };
  it('accepts a well-formed presence', () => {
    checkEqual(readPresence(good)?.name, 'A', 'read');
  });
  it('rejects malformed ones', () => {
    for (const bad of [null, 1, {}, { lattice: null }, { lattice: { ...good.lattice, role: 'admin' } }, { lattice: { ...good.lattice, nodeId: 'no spaces allowed' } }, { lattice: { ...good.lattice, name: 'x'.repeat(500) } }, { lattice: { ...good.lattice, since: 'now' } }]) {
      checkEqual(readPresence(bad), undefined, `rejects ${JSON.stringify(bad).slice(0, 60)}`);
    }
  });
});

describe('readMeshConfig: the link cap', () => {
  it('reads the link cap, and refuses a bad one with the default kept', () => {
    checkEqual(readMeshConfig(new URL('http://h/?links=3')).maxLinks, 3, 'a cap of 3');
    checkEqual(readMeshConfig(new URL('http://h/')).maxLinks, 8, 'the default');
    for (const bad of ['0', '65', 'x', '2.5', '-1']) {
      const c = readMeshConfig(new URL(`http://h/?links=${bad}`));
      checkEqual([c.maxLinks, c.problems.length], [8, 1], `"${bad}" is refused`);
    }
  });
});
