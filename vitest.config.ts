import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Kafka for the whole run (a JVM costs seconds and memory); inject('kafkaBrokers') names it.
    globalSetup: ['./test/harness/global-kafka.ts'],
    // End-to-end tests spawn real broker processes; two workers match this machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
