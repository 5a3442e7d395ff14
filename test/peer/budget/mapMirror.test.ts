import { expect } from 'chai';
import * as Y from 'yjs';
import { MapMirror } from '../../../src/peer/budget/MapMirror.js';

describe('MapMirror', () => {
  it('copies the maps it is given both ways, and no other root', () => {
    const local = new Y.Doc();
    const mesh = new Y.Doc();
    local.getMap('lattice.pipeline').set('run', { seed: 1 });
    const mirror = new MapMirror(local, mesh, ['lattice.pipeline', 'lattice.leases']);
    expect(mesh.getMap('lattice.pipeline').get('run')).to.deep.equal({ seed: 1 });
    local.getMap('lattice.leases').set('pipeline', { holder: 'a' });
    local.getMap('other').set('x', 1);
    local.getMap('lattice.junk').set('x', 1);
    local.getArray('lattice.log').push([1]);
    expect(mesh.getMap('lattice.leases').get('pipeline')).to.deep.equal({ holder: 'a' });
    expect(mesh.getMap('other').size).to.equal(0);
    expect(mesh.getMap('lattice.junk').size).to.equal(0);
    expect(mesh.getArray('lattice.log').length).to.equal(0);
    mesh.getMap('lattice.pipeline').delete('run');
    expect(local.getMap('lattice.pipeline').has('run')).to.equal(false);
    mirror.destroy();
  });

  it('a key set concurrently on both sides ends equal in both documents, as the mesh resolved it', () => {
    const local = new Y.Doc();
    const mesh = new Y.Doc();
    const peer = new Y.Doc();
    const mirror = new MapMirror(local, mesh, ['lattice.leases']);
    peer.getMap('lattice.leases').set('pipeline', { holder: 'peer' });
    local.getMap('lattice.leases').set('pipeline', { holder: 'me' });
    // The peer's update arrives after ours was copied into the mesh document.
    Y.applyUpdate(mesh, Y.encodeStateAsUpdate(peer), 'network');
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(mesh), 'network');
    const resolved = mesh.getMap('lattice.leases').get('pipeline');
    expect(peer.getMap('lattice.leases').get('pipeline')).to.deep.equal(resolved);
    expect(local.getMap('lattice.leases').get('pipeline')).to.deep.equal(resolved);
    mirror.destroy();
  });
});
