// Debian's chromium under playwright-core (scripts/setup.d/chromium.sh installs it; playwright's
// own browser download cannot run here). A missing browser fails the test that needs it.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli-harness.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = [process.env.LIGHTSPEED_CHROMIUM, ...CANDIDATES].find((path) => path !== undefined && path !== '' && existsSync(path));
  if (!found) throw new Error(`no chromium at ${CANDIDATES.join(' or ')}: run \`bash scripts/setup.d/chromium.sh\` (apt-get install chromium), or set LIGHTSPEED_CHROMIUM`);
  return found;
}

/** Headless chromium as root in a container: no user namespace sandbox, small /dev/shm. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

/** Where the browser tests put their screenshots (`test-output/console`, or LIGHTSPEED_TEST_OUTPUT). */
export async function outputDir(): Promise<string> {
  const dir = join(process.env.LIGHTSPEED_TEST_OUTPUT ?? join(REPO_ROOT, 'test-output'), 'console');
  await mkdir(dir, { recursive: true });
  return dir;
}

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and answers its serious and critical violations. The source is
 * evaluated through the DevTools protocol, which the page's Content-Security-Policy (no inline
 * script) does not govern — an injected <script> tag would be refused.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<Result> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
