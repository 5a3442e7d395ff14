#!/usr/bin/env node
// `npm start`: the y-webrtc signaling server and the app, for a mesh on this machine and the LAN.
// Builds the app and serves the build (so the service worker, and with it offline start, works);
// `npm start -- --dev` serves the sources with Vite's dev server instead.
// Ports: LATTICE_SIGNAL_PORT (default 4444, which nodes assume when ?signaling= is absent) and
// LATTICE_APP_PORT (default 4173).
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { build, createServer, preview } from 'vite';

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

const lan = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a && a.family === 'IPv4' && !a.internal)
  .map((a) => a.address);
const signalingParam = (host) => (signalPort === 4444 ? '' : `&signaling=ws://${host}:${signalPort}`);
const lines = [
  '',
  `Lattice Mesh is running (${dev ? 'dev server' : 'built app'}); signaling on port ${signalPort}.`,
  '',
  `  This machine:   http://localhost:${appPort}/?room=lattice${signalingParam('localhost')}`,
  '  More nodes here: open the same link in another tab (tabs sync over BroadcastChannel) or',
  '                   another browser / private window (they connect over WebRTC).',
  ...lan.map((ip, i) => `${i === 0 ? '  Other devices:  ' : '                  '}http://${ip}:${appPort}/?room=lattice${signalingParam(ip)}&name=bravo`),
  '',
  '  Options: &room=NAME  &name=LABEL  &role=operator|viewer  &password=SECRET  &signaling=ws://host:port',
  '  Over plain http on another device the browser allows no service worker and no room password;',
  '  serve the app over https (or use localhost) for those.',
  '  window.lattice in the browser console drives a node (docs/scripting-api.md).',
  '',
];
console.log(lines.join('\n'));

const stop = async () => {
  signaling.kill();
  await server.close?.();
  await new Promise((resolve) => server.httpServer?.close(resolve) ?? resolve());
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
