import { defineConfig } from 'vitest/config';

// Tests resolve workspace packages to their TypeScript sources (the `lightspeed-src`
// export condition), so a test never runs against a stale build.
export default defineConfig({
  resolve: { conditions: ['lightspeed-src'] },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
