import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests always run against the TypeScript sources of every workspace package (never a stale
// `dist/`): each `@lightspeed/<dir>` import is aliased to `packages/<dir>/src/index.ts`.
const alias = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({ find: new RegExp(`^@lightspeed/${entry.name}$`), replacement: `${packagesDir}${entry.name}/src/index.ts` }));

export default defineConfig({
  resolve: { alias, conditions: ['lightspeed-src'] },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
