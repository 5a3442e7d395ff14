import { MemoryHarness } from './memoryHarness.js';
import { meshScenarios } from './meshAcceptance.js';

describe('mesh acceptance suite on the in-memory transport', () => {
  for (const scenario of meshScenarios) {
    it(scenario.name, async () => {
      const harness = new MemoryHarness();
      try {
        await scenario.run(harness);
      } finally {
        await harness.close();
      }
    });
  }
});
