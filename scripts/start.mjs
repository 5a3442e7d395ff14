#!/usr/bin/env node
// `npm start`: the y-webrtc signaling server and the app, for a mesh on this machine and the LAN.
// Builds the app and serves the build (so the service worker, and with it offline start, works);
// `npm start -- --dev` serves the sources with Vite's dev server instead.
// Ports: LATTICE_SIGNAL_PORT (default 4444, which nodes assume when ?signaling= is absent) and
// LATTICE_APP_PORT (default 4173).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { build, createServer, preview, runnerImport } from 'vite';

const signalPort = Number(process.env.LATTICE_SIGNAL_PORT ?? 4444);
const appPort = Number(process.env.LATTICE_APP_PORT ?? 4173);
const dev = process.argv.includes('--dev');

const signaling = spawn(process.execPath, [new URL('./signaling.mjs', import.meta.url).pathname, '--port', String(signalPort)], { stdio: 'inherit' });
signaling.on('exit', (code) => {
  console.error(`start: the signaling server stopped (exit code ${code}); nodes on other devices will not find each other.`);
  process.exitCode = 1;
});

let server;
if (dev) {
  server = await createServer({ server: { port: appPort, strictPort: true, host: true } });
  await server.listen();
} else {
  console.log('start: building the app…');
  await build({ logLevel: 'warn' });
  server = await preview({ preview: { port: appPort, strictPort: true, host: true } });
}

const links = await roomLinks();
const lan = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a && a.family === 'IPv4' && !a.internal)
  .map((a) => a.address);
const signalingParam = (host) => (signalPort === 4444 ? '' : `&signaling=ws://${host}:${signalPort}`);
const lines = [
  '',
  `Lattice Mesh is running (${dev ? 'dev server' : 'built app'}); signaling on port ${signalPort}.`,
  '',
  `  Room "${links.room}", owned by key ${links.fingerprint} (kept in ${links.file}):`,
  `  Owner link (open it first; it makes that browser the room's owner, who admits the others):`,
  `    ${links.owner(`localhost:${appPort}`, signalingParam('localhost'))}`,
  `  Invitation link (an operator; valid 7 days; the owner's open page admits whoever opens it):`,
  `    ${links.invite(`localhost:${appPort}`, signalingParam('localhost'))}`,
  ...lan.map((ip) => `    on another device: ${links.invite(`${ip}:${appPort}`, signalingParam(ip))}`),
  '  More tabs of one browser share its key: open the same link in another tab.',
  '  The Members tab invites more people (operator or viewer) and revokes them.',
  '',
  `  An open room (anyone who reaches it writes; for demos): http://localhost:${appPort}/?room=demo&open=1${signalingParam('localhost')}`,
  '',
  '  Options: &room=NAME  &name=LABEL  &open=1  &password=SECRET  &signaling=ws://host:port  (&role=viewer in an open room)',
  '  Over plain http on another device the browser allows no service worker and no room password,',
  '  and keeps the node\'s keys as bytes its page could read; serve the app over https (or use',
  '  localhost) for those.',
  '  window.lattice in the browser console drives a node (docs/scripting-api.md).',
  '',
];
console.log(lines.join('\n'));

/**
 * The room `npm start` offers: its owner key is kept in .lattice/room.json (so the room and its
 * members outlive a restart), an owner link that hands the key to one browser, and an operator
 * invitation signed by it.
 */
async function roomLinks() {
  const dir = new URL('../.lattice/', import.meta.url);
  const file = new URL('room.json', dir);
  const load = (path) => runnerImport(new URL(path, import.meta.url).pathname, { configFile: false, logLevel: 'warn' }).then((r) => r.module);
  const [invitation, config, fp] = await Promise.all([load('../src/peer/trust/invitation.ts'), load('../src/peer/meshConfig.ts'), load('../src/peer/trust/fingerprint.ts')]);
  let saved;
  if (existsSync(file)) saved = JSON.parse(readFileSync(file, 'utf8'));
  if (!saved?.secret || !saved?.room) {
    mkdirSync(dir, { recursive: true });
    saved = { room: 'lattice', secret: invitation.base64url(crypto.getRandomValues(new Uint8Array(32))) };
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  }
  const signer = invitation.secretSigner(invitation.fromBase64url(saved.secret));
  const owner = { key: signer.publicKey, pq: signer.pq.id };
  const roomId = config.roomId(saved.room, owner);
  const now = Date.now();
  const token = invitation.encodeInvitation(await invitation.createInvitation(roomId, signer, { role: 'operator', expiresAtS: Math.floor(now / 1000) + 7 * 24 * 3600, nowMs: now }));
  const page = (host, extra) => new URL(`http://${host}/?x=1${extra}`);
  const link = (host, extra, fragment, name) => {
    const url = new URL(config.roomLink(page(host, extra), saved.room, owner));
    if (name) url.searchParams.set('name', name);
    url.hash = fragment;
    return url.toString();
  };
  return {
    room: saved.room,
    file: '.lattice/room.json',
    fingerprint: fp.fingerprint(signer.publicKey),
    owner: (host, extra) => link(host, extra, `owner-key=${saved.secret}`, 'owner'),
    invite: (host, extra) => link(host, extra, `invite=${token}`),
  };
}

const stop = async () => {
  signaling.kill();
  await server.close?.();
  await new Promise((resolve) => server.httpServer?.close(resolve) ?? resolve());
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
