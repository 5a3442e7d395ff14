/** A signaling server a test can stop and restart (the one playwright.config.ts starts must stay up). */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { waitUntil } from '../peer/check.js';

export class SignalingServer {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.child = spawn(process.execPath, ['scripts/signaling.mjs', '--port', String(this.port)], { stdio: 'ignore' });
    await waitUntil(() => this.accepts(), `the signaling server listens on ${this.port}`, 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await exited;
    await waitUntil(async () => !(await this.accepts()), `port ${this.port} is closed`, 10_000);
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
}
