/** The mesh acceptance suite (test/peer/meshAcceptance.ts) on the real transport: y-webrtc between browser contexts. */
import { test } from '@playwright/test';
import { meshScenarios } from '../peer/meshAcceptance.js';
import { PageHarness } from './nodes.js';

test.describe('mesh acceptance suite on y-webrtc', () => {
  for (const scenario of meshScenarios) {
    test(scenario.name, async ({ browser }) => {
      const harness = new PageHarness(browser);
      try {
        await scenario.run(harness);
      } finally {
        await harness.close();
      }
    });
  }
});
