/**
 * The gateway between a node's own document and the mesh document: without a budget a batch
 * passes through whole, signed, in order; peers' batches come across at once and are not sent
 * back; with no link, changes wait coalesced (one per entity component, newest wins) and leave
 * with their own stamps once a link is up; what the mesh already has is not sent again.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, type RawBatch } from '../../../src/crdt/index.js';
import { MeshGateway, type Sealer } from '../../../src/peer/budget/MeshGateway.js';
import { Pacer } from '../../../src/peer/budget/Pacer.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

function pair(fanOut: { links: number }, sealer?: Sealer) {
  const local = new EntityStore(new Y.Doc(), { node: 'me' });
  const mesh = new EntityStore(new Y.Doc(), { node: 'me', rewriteOwn: false });
  const gateway = new MeshGateway({ local, mesh, pacer: new Pacer(), fanOut: () => fanOut.links, ...(sealer ? { sealer } : {}) });
  return { local, mesh, gateway };
}

describe('MeshGateway', () => {
  it('without a budget, a batch passes through whole and signed, in the order written', async () => {
    const sealed: RawBatch[][] = [];
    const sealer: Sealer = {
      bytesPerBatch: 0,
      seal: (raws, deliver) => {
        sealed.push([...raws]);
        deliver([...raws]);
      },
    };
    const { local, mesh, gateway } = pair({ links: 1 }, sealer);
    try {
      local.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      local.update('t1', { position: { lat: 2, lon: 1, alt: 0 } });
      await tick();
      expect(sealed.map((s) => s.length)).to.deep.equal([1, 1]);
      expect(mesh.batches().map((b) => b.stamp)).to.deep.equal(local.batches().map((b) => b.stamp));
      expect(mesh.component('t1', 'position')).to.deep.include({ lat: 2 });
    } finally {
      gateway.destroy();
    }
  });

  it('a peer’s batch in the mesh document reaches the local picture at once, and is not sent back', async () => {
    const { local, mesh, gateway } = pair({ links: 1 });
    try {
      const peer = new EntityStore(new Y.Doc(), { node: 'peer' });
      peer.create('p1', 'track', { position: { lat: 5, lon: 5, alt: 0 } });
      Y.applyUpdate(mesh.doc, Y.encodeStateAsUpdate(peer.doc));
      await tick();
      expect(local.component('p1', 'position')).to.deep.include({ lat: 5 });
      expect(mesh.batches().length, 'nothing echoed').to.equal(1);
      expect(gateway.outbox.size).to.equal(0);
    } finally {
      gateway.destroy();
    }
  });

  it('with no link, changes wait coalesced and leave with their own stamps once a link is up; what the mesh has is skipped', async () => {
    const links = { links: 0 };
    const { local, mesh, gateway } = pair(links);
    try {
      local.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      for (let i = 2; i <= 5; i++) local.update('t1', { position: { lat: i, lon: 1, alt: 0 } });
      await tick();
      expect(mesh.has('t1'), 'nothing left without a link').to.equal(false);
      // The create's components and the newest position: one entry per entity component.
      const waiting = gateway.outbox.size;
      expect(waiting).to.be.within(1, 3);
      const newestStamp = local.batches().at(-1)!.stamp;
      links.links = 1;
      gateway.kick();
      await tick();
      await tick();
      expect(gateway.outbox.size).to.equal(0);
      expect(mesh.component('t1', 'position')).to.deep.include({ lat: 5 });
      expect(mesh.batches().some((b) => b.stamp === newestStamp), 'the newest position kept its stamp').to.equal(true);
      expect(mesh.digest()).to.equal(local.digest());
      // A change the mesh already covers (a newer write there) is not sent again.
      links.links = 0;
      local.update('t1', { position: { lat: 6, lon: 1, alt: 0 } });
      await tick();
      const other = new EntityStore(new Y.Doc(), { node: 'zz-peer' });
      Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(mesh.doc));
      other.update('t1', { position: { lat: 7, lon: 1, alt: 0 } });
      Y.applyUpdate(mesh.doc, Y.encodeStateAsUpdate(other.doc, Y.encodeStateVector(mesh.doc)));
      const before = mesh.batches().length;
      links.links = 1;
      gateway.kick();
      await tick();
      await tick();
      expect(gateway.outbox.size).to.equal(0);
      expect(mesh.batches().length, 'the covered change did not leave').to.equal(before);
      expect(local.component('t1', 'position')).to.deep.include({ lat: 7 });
    } finally {
      gateway.destroy();
    }
  });
});
