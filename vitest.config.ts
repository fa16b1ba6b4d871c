import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The `zookeeper` native binding segfaults inside worker threads: keep child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each integration file starts its own ZooKeeper; two at a time fit two cores.
    maxWorkers: 2,
  },
});
