import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { launchOptions } from './scripts/browser.mjs';

export default {
  files: ['test/**/*.test.ts', '!test/e2e/**', '!test/node/**'],
  nodeResolve: true,
  concurrency: 2,
  testFramework: { config: { timeout: 60000 } },
  testsFinishTimeout: 600000,
  browsers: [playwrightLauncher({ product: 'chromium', launchOptions })],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
};
