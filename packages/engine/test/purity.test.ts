import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '..', 'src');

/** Patterns that would make the engine impure or unbundleable for a workflow sandbox. */
const FORBIDDEN: [string, RegExp][] = [
  ['node: import', /from\s+['"]node:/],
  ['I/O module import', /from\s+['"](fs|path|os|crypto|child_process|net|http|https|worker_threads)(\/[^'"]*)?['"]/],
  ['require()', /\brequire\s*\(/],
  ['Date', /\bDate\b/],
  ['Math.random', /Math\.random/],
  ['crypto global', /\bcrypto\./],
  ['process', /\bprocess\b/],
  ['timers', /\b(setTimeout|setInterval|setImmediate)\b/],
  ['performance', /\bperformance\b/],
];

function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('engine purity', () => {
  // Every folder: a component moved into a subfolder must not escape the scan.
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

  it('has sources to scan', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  for (const file of files) {
    it(`${file} uses no I/O, clock, randomness or environment`, () => {
      const code = withoutComments(readFileSync(join(src, file), 'utf8'));
      const found = FORBIDDEN.filter(([, pattern]) => pattern.test(code)).map(([name]) => name);
      expect(found).toEqual([]);
    });
  }

  it('bundles for the Temporal workflow sandbox', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(here, 'fixtures', 'engine-workflow.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
      webpackConfigHook: (config) => {
        const resolve = config.resolve ?? {};
        // Resolve the engine to its TypeScript sources (NodeNext `.js` specifiers map to `.ts`).
        resolve.conditionNames = ['lightspeed-src', ...(resolve.conditionNames ?? ['import', 'module', 'require', 'default'])];
        resolve.extensionAlias = { '.js': ['.ts', '.js'] };
        config.resolve = resolve;
        return config;
      },
    });
    expect(code).toContain('engineWorkflow');
    expect(code).toContain('admitRunStart');
  }, 120_000);
});
