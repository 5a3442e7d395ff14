/**
 * Who may do what, as people do it (issue 14 §2): Olga opens a room of her own, and on the
 * Members tab makes an operator invitation and a viewer invitation; Bob and Vic open the links
 * in browsers of their own and are admitted. Vic sees no enabled decision control, and what his
 * page writes through the document is refused everywhere. Olga revokes Bob; what Bob writes
 * afterwards counts on no node, what he wrote before stays.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { SIGNALING_URL, freshRoom, newNodeContext, pageHandle } from './nodes.js';
import { base64url, createInvitation, encodeInvitation, formatOwner, secretSigner } from '../../src/peer/trust/invitation.js';
import { roomId } from '../../src/peer/meshConfig.js';

async function openLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.waitForFunction(() => window.lattice !== undefined, null, { timeout: 10_000 });
  await page.evaluate(() => window.lattice!.ready);
}

/** Olga makes an invitation on the Members tab and reads the link from its box. */
async function invite(page: Page, role: 'operator' | 'viewer'): Promise<string> {
  await page.getByRole('tab', { name: 'Members' }).click();
  const form = page.getByRole('form', { name: 'Invite' });
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Create invitation link' }).click();
  const box = page.getByLabel('Invitation link');
  await expect(box).toHaveValue(/#invite=/);
  return box.inputValue();
}

const withName = (link: string, name: string): string => {
  const url = new URL(link);
  url.searchParams.set('name', name);
  return url.toString();
};

test('owner invites an operator and a viewer from the Members tab, the viewer cannot write, and a revoked operator’s later writes count nowhere', async ({ browser }) => {
  test.setTimeout(150_000);
  const room = freshRoom('owned');
  const contexts = await Promise.all([0, 1, 2].map(() => newNodeContext(browser)));
  const [olga, bob, vic] = await Promise.all(contexts.map((c) => c.newPage()));
  try {
    // Olga opens a room with no owner and not open: it is hers, and the address bar says so.
    await openLink(olga!, `./?${new URLSearchParams({ room, name: 'Olga', signaling: SIGNALING_URL })}`);
    expect(new URL(olga!.url()).searchParams.get('owner')).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    await expect(olga!.getByLabel('Role owner')).toBeVisible();

    const operatorLink = await invite(olga!, 'operator');
    const viewerLink = await invite(olga!, 'viewer');
    await openLink(bob!, withName(operatorLink, 'Bob'));
    await openLink(vic!, withName(viewerLink, 'Vic'));
    // The secret leaves the address bar once read.
    expect(new URL(bob!.url()).hash).toBe('');
    // Olga's node admits them (her page is open): each page then shows the role it was given.
    await expect(bob!.getByLabel('Role operator')).toBeVisible({ timeout: 30_000 });
    await expect(vic!.getByLabel('Role viewer')).toBeVisible({ timeout: 30_000 });
    await olga!.getByRole('tab', { name: 'Members' }).click();
    const members = olga!.getByRole('table', { name: 'Members' });
    await expect(members.getByRole('row', { name: /Bob.*operator/ })).toBeVisible({ timeout: 20_000 });
    await expect(members.getByRole('row', { name: /Vic.*viewer/ })).toBeVisible();

    const [o, b, v] = [pageHandle('Olga', olga!), pageHandle('Bob', bob!), pageHandle('Vic', vic!)];
    // Bob writes as an operator: every node has it.
    await b.create('bob-before', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(async () => (await o.get('bob-before')) !== undefined && (await v.get('bob-before')) !== undefined, 'Bob\u2019s track on every node', 20_000);

    // Vic: the API refuses him, and what his page writes through the document is refused by every peer.
    const refused = await vic!.evaluate(() => {
      try {
        window.lattice!.create('vic-api', 'track', { position: { lat: 2, lon: 2, alt: 0 } });
        return 'written';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(refused).toBe('ViewerCannotWriteError');
    await vic!.evaluate(() => window.lattice!.node.store.create('vic-doc', 'track', { position: { lat: 3, lon: 3, alt: 0 } }));
    await waitUntil(async () => /Vic sent .* refused/.test((await o.status()).problem ?? ''), 'Olga names Vic\u2019s refused write', 20_000);
    expect(await o.get('vic-doc')).toBeUndefined();
    expect(await b.get('vic-doc')).toBeUndefined();

    // Olga revokes Bob, confirming it.
    await members.getByRole('button', { name: 'Revoke Bob' }).click();
    await members.getByRole('button', { name: 'Confirm: revoke Bob for good' }).click();
    await expect(members.getByRole('row', { name: /Bob.*revoked/ })).toBeVisible({ timeout: 10_000 });
    await waitUntil(async () => /revoked/.test((await bob!.evaluate(() => window.lattice!.room.info().problem)) ?? ''), 'Bob\u2019s node learns it was revoked', 20_000);
    await expect(bob!.getByLabel('Role guest')).toBeVisible();
    // Bob's page writes anyway, through the document.
    await bob!.evaluate(() => window.lattice!.node.store.create('bob-after', 'track', { position: { lat: 4, lon: 4, alt: 0 } }));
    // It reaches Olga and Vic (stored, so it travels on) and counts on neither.
    await waitUntil(async () => ((await o.status()).uncounted ?? 0) >= 1 && ((await v.status()).uncounted ?? 0) >= 1, 'Bob\u2019s later write reached Olga and Vic, uncounted', 20_000);
    for (const h of [o, v]) {
      expect(await h.get('bob-after'), `${h.label} does not count Bob's write after his revocation`).toBeUndefined();
      expect(await h.get('bob-before'), `${h.label} keeps Bob's earlier write`).toBeDefined();
    }
    // Olga sees that something was kept out, and why.
    await expect(olga!.getByText(/written after the writer's revocation/)).toBeVisible({ timeout: 10_000 });
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});

test('npm start’s owner link: the browser that opens it owns the room (both keys from the link’s one secret), and the invitation printed beside it admits an operator', async ({ browser }) => {
  // What `npm start` does with .lattice/room.json: one secret, the room id naming both its keys,
  // an owner link carrying the secret, and an operator invitation signed by it.
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const signer = secretSigner(secret);
  const owner = formatOwner({ key: signer.publicKey, pq: signer.pq.id });
  const room = freshRoom('owner-link');
  const now = Date.now();
  const token = encodeInvitation(await createInvitation(roomId(room, { key: signer.publicKey, pq: signer.pq.id }), signer, { role: 'operator', expiresAtS: Math.floor(now / 1000) + 3600, nowMs: now }));
  const base = `./?${new URLSearchParams({ room, owner, signaling: SIGNALING_URL }).toString()}`;
  const contexts = [await newNodeContext(browser), await newNodeContext(browser)];
  try {
    const olga = await contexts[0]!.newPage();
    await openLink(olga, `${base}&name=Olga#owner-key=${base64url(secret)}`);
    expect(await olga.evaluate(() => window.lattice!.room.info().standing)).toBe('owner');
    // The secret is read once and leaves the address bar.
    expect(new URL(olga.url()).hash).toBe('');
    const bob = await contexts[1]!.newPage();
    await openLink(bob, `${base}&name=Bob#invite=${token}`);
    await waitUntil(async () => (await bob.evaluate(() => window.lattice!.room.info().standing)) === 'operator', 'Olga’s node admits Bob', 20_000);
    await expect(bob.getByLabel('Role operator')).toBeVisible();
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});
