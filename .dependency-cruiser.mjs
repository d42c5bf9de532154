// The import rules of DESIGN.md §2, checked by `npm run lint` (dependency-cruiser). A rule names the
// design clause it enforces; a violation prints the two files and the rule.
//
// Layers, lowest first. A package may import packages of its own layer or lower, never higher.
const LAYERS = [
  ['engine'],
  ['ports'],
  ['process-table', 'cas', 'vfs', 'store-memory', 'store-sql', 'llm', 'tools', 'environments', 'fake-provider'],
  ['driver'],
  ['host-embedded', 'host-temporal', 'host-restate'],
  ['ops', 'schedules', 'memory'],
  ['client-ts', 'api', 'agents', 'console', 'cli'],
  ['harness'], // the embedding entry point, over the CLI's stack and client
];
const HOSTS = LAYERS[4];

const src = (names) => `^packages/(${names.join('|')})/src/`;
const upward = LAYERS.flatMap((layer, rank) => {
  const higher = LAYERS.slice(rank + 1).flat();
  if (layer.length === 0 || higher.length === 0) return [];
  return [
    {
      name: `no-upward-import:${layer.join(',')}`,
      comment: `DESIGN §2: nothing imports upward. ${layer.join(', ')} may not import ${higher.join(', ')}.`,
      severity: 'error',
      from: { path: src(layer) },
      to: { path: src(higher) },
    },
  ];
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'package-has-a-layer',
      comment: 'DESIGN §2: every package sits in one layer; add a new package to LAYERS in .dependency-cruiser.mjs.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: [src(LAYERS.flat()), '^packages/testkit/'] },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'An import cycle (type-only imports aside): split the shared part into its own file.',
      severity: 'error',
      from: { path: '^packages/[^/]+/(src|scripts|bench)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...upward,
    {
      name: 'no-host-to-host',
      comment: 'DESIGN §2, §8: hosts are siblings that supply scheduling primitives; one never imports another.',
      severity: 'error',
      from: { path: '^packages/(host-[^/]+)/src/' },
      to: { path: src(HOSTS), pathNot: '^packages/$1/' },
    },
    {
      name: 'engine-imports-only-pure-libraries',
      comment: 'DESIGN §2: the engine bundles into the Temporal workflow sandbox: no node:* modules, no workspace package, only pure libraries.',
      severity: 'error',
      from: { path: '^packages/engine/src/' },
      to: { pathNot: ['^packages/engine/src/', '^node_modules/@noble/hashes/'] },
    },
    {
      name: 'client-is-standalone',
      comment: 'The published client (@lightspeed/client) speaks the wire contract only: it imports no workspace package, so it installs without the server.',
      severity: 'error',
      from: { path: '^packages/client-ts/src/' },
      to: { path: '^packages/', pathNot: '^packages/client-ts/' },
    },
    {
      name: 'no-test-support-in-products',
      comment: 'testkit is test support: tests, benchmarks and scripts use it, product code never does.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: '^packages/testkit/' },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'no-reaching-into-another-package',
      comment: "Import another package by its name (its public entry points), never by a relative path into its files.",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/[^/]+/', pathNot: '^packages/$1/', dependencyTypes: ['local'] },
    },
  ],
  options: {
    // The cruised files are the packages' sources, tests, benchmarks and scripts; the libraries and
    // Node modules they import are kept (the engine rule needs them), but not followed.
    exclude: { path: ['(^|/)dist/', '^packages/[^/]+/(generated|node_modules)/'] },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tests.json' },
    // Workspace packages resolve to their sources (as tsc and vitest see them), through their symlinks.
    enhancedResolveOptions: { conditionNames: ['lightspeed-src', 'import', 'types', 'default'], exportsFields: ['exports'], extensions: ['.ts', '.js', '.json'] },
    preserveSymlinks: false,
    cache: false,
  },
};
