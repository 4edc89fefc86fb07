import { defineConfig } from 'vitest/config'

const ALL = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts']
/** Tests that measure how quickly the host answers: they run after the rest, alone, so a CPU-heavy test beside them cannot starve the host they time. */
const ALONE = ['test/integration/hostResponsiveness.test.ts']

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suite', include: ALL, exclude: ALONE } },
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } }
    ]
  }
})
