// Proves `npm run lint`'s import rules (.dependency-cruiser.mjs, DESIGN §2) fail on what they forbid:
// it builds a small workspace shaped like this one (packages linked by name under node_modules, as
// npm does), with one violation of each rule, and runs the real dependency-cruiser on it with the
// repository's own config.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = join(repo, 'node_modules', '.bin', 'depcruise');
const config = join(repo, '.dependency-cruiser.mjs');

type Files = Record<string, string>;

/** A workspace of the given packages: `packages/<name>/src/...` files, each package linked by name. */
async function workspace(packages: Record<string, Files>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ls-import-rules-'));
  await writeFile(join(root, 'tsconfig.tests.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', customConditions: ['lightspeed-src'] } }));
  await mkdir(join(root, 'node_modules', '@lightspeed'), { recursive: true });
  for (const [name, files] of Object.entries(packages)) {
    const dir = join(root, 'packages', name);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `@lightspeed/${name}`, type: 'module', exports: { '.': { 'lightspeed-src': './src/index.ts', default: './dist/index.js' } } }));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await symlink(join('..', '..', 'packages', name), join(root, 'node_modules', '@lightspeed', name), 'dir');
  }
  return root;
}

/** The violations dependency-cruiser reports, as `rule: from → to` lines, and its exit code. */
function cruise(root: string): Promise<{ code: number; violations: string[] }> {
  return new Promise((resolve) => {
    execFile(depcruise, ['packages', '--config', config, '--output-type', 'err'], { cwd: root }, (error, stdout) => {
      const text = stdout.replace(/\s*→\s*/g, ' → ');
      const violations = [...text.matchAll(/error (\S+): (.+?)(?=\n\s*(?:error|x \d)|\n\n|$)/gs)].map((m) => `${m[1]}: ${m[2]!.replace(/\s+/g, ' ').trim()}`);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, violations: violations.sort() });
    });
  });
}

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

const layered = (extra: Record<string, Files> = {}): Record<string, Files> => ({
  engine: { 'src/index.ts': "export { plan } from './plan.js';\n", 'src/plan.ts': "export const plan = (n: number): number => n + 1;\n" },
  ports: { 'src/index.ts': "import type { plan } from '@lightspeed/engine';\nexport type Planner = typeof plan;\n" },
  driver: { 'src/index.ts': "import { plan } from '@lightspeed/engine';\nimport type { Planner } from '@lightspeed/ports';\nexport const drive: Planner = plan;\n" },
  'host-embedded': { 'src/index.ts': "import { drive } from '@lightspeed/driver';\nexport const host = drive;\n" },
  ...extra,
});

describe('import rules (npm run lint)', () => {
  it('pass a workspace whose imports point down the layers, with a type-only cycle', async () => {
    const root = await workspace(
      layered({
        ports: {
          'src/index.ts': "export type { A } from './a.js';\n",
          'src/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
          'src/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
        },
      }),
    );
    roots.push(root);
    expect(await cruise(root)).toEqual({ code: 0, violations: [] });
  });

  it('fail on a runtime import cycle, an upward import, an impure engine import, a host importing a host, test support in product code and a path into another package', async () => {
    const root = await workspace(
      layered({
        engine: {
          'src/index.ts': "export { run } from './run.js';\n",
          'src/run.ts': "import { batch } from './tool-batch.js';\nexport const run = (): number => batch() + 1;\n",
          'src/tool-batch.ts': "import { run } from './run.js';\nexport const batch = (): number => (run ? 1 : 0);\n",
          'src/clock.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
        },
        ports: { 'src/index.ts': "import { drive } from '@lightspeed/driver';\nexport const upward = drive;\n" },
        'host-temporal': { 'src/index.ts': "import { host } from '@lightspeed/host-embedded';\nexport const other = host;\n" },
        'host-restate': { 'src/index.ts': "import { drive } from '../../driver/src/index.js';\nexport const reached = drive;\n" },
        testkit: { 'src/index.ts': 'export const startServer = (): void => undefined;\n' },
        cli: { 'src/index.ts': "import { startServer } from '@lightspeed/testkit';\nexport const main = startServer;\n" },
      }),
    );
    roots.push(root);
    const { code, violations } = await cruise(root);
    expect(code).not.toBe(0);
    expect(violations).toEqual(
      [
        'engine-imports-only-pure-libraries: packages/engine/src/clock.ts → fs',
        'no-circular: packages/engine/src/run.ts → packages/engine/src/tool-batch.ts → packages/engine/src/run.ts',
        'no-host-to-host: packages/host-temporal/src/index.ts → packages/host-embedded/src/index.ts',
        'no-reaching-into-another-package: packages/host-restate/src/index.ts → packages/driver/src/index.ts',
        'no-test-support-in-products: packages/cli/src/index.ts → packages/testkit/src/index.ts',
        'no-upward-import:ports: packages/ports/src/index.ts → packages/driver/src/index.ts',
      ].sort(),
    );
  }, 60_000);
});
