import { defineConfig } from '@playwright/test';
// @ts-expect-error: plain ESM helper shared with the other runners
import { launchOptions } from './scripts/browser.mjs';

/**
 * Multi-node tests: one browser context per node, against the built app served by Vite's
 * preview server and the y-webrtc signaling server, both started here.
 */
const APP_PORT = Number(process.env.LATTICE_TEST_APP_PORT ?? 4173);
const SIGNAL_PORT = Number(process.env.LATTICE_TEST_SIGNAL_PORT ?? 4445);

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.e2e.ts',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}/`,
    launchOptions,
    permissions: ['camera', 'microphone'],
  },
  webServer: [
    {
      command: `node scripts/signaling.mjs --port ${SIGNAL_PORT}`,
      port: SIGNAL_PORT,
      reuseExistingServer: false,
    },
    {
      command: `npx vite build --logLevel warn && npx vite preview --strictPort --port ${APP_PORT} --host 127.0.0.1`,
      port: APP_PORT,
      reuseExistingServer: false,
      timeout: 180_000,
    },
  ],
});
