#!/usr/bin/env node
// Starts the signaling server that ships with y-webrtc (it only introduces peers to each other;
// no entity data passes through it). Usage: node scripts/signaling.mjs [--port 4444]

const args = process.argv.slice(2);
const at = args.indexOf('--port');
const port = at >= 0 ? args[at + 1] : process.env.PORT ?? '4444';
if (!/^\d{1,5}$/.test(String(port)) || Number(port) < 1 || Number(port) > 65535) {
  console.error(`signaling: "${port}" is not a TCP port (1–65535).`);
  process.exit(2);
}
process.env.PORT = String(port);
await import(new URL('../node_modules/y-webrtc/bin/server.js', import.meta.url).href);
