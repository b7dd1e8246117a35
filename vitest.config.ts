import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the real components every suite may use: s3rver and a private clickhouse-server.
    globalSetup: ['test/setup/globalSetup.ts'],
    pool: 'forks',
    // Suites start real servers and processes; generous but bounded.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
