// What the console's browser tests share: a project with one agent, the JSON-RPC call a client
// makes, and the page watcher that turns script errors and failed requests into test failures.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { outputDir, seriousViolations } from './browser.js';
import type { CliRun } from './cli-harness.js';

const GREETER_AGENT = `---
description: Greets whoever the task names
task:
  template: "Say hello to {{payload.name}}"
---
You greet people.
`;

/** A project directory under `home` with the `greeter` agent (its task says hello to payload.name). */
export async function greeterProject(home: string): Promise<string> {
  const project = join(home, 'project');
  await mkdir(join(project, '.lightspeed', 'agents'), { recursive: true });
  await writeFile(join(project, '.lightspeed', 'agents', 'greeter.md'), GREETER_AGENT);
  return project;
}

/** One `POST /rpc` call as a client makes it (with a bearer key on an API-key server). */
export async function rpcCall<T = any>(url: string, method: string, params: unknown, key?: string): Promise<T> {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const answer = (await response.json()) as { result?: { result: T }; error?: { message: string } };
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result!.result;
}

/** Records into `errors` every script error, console error, failed request and dialog of the page. */
export function watchPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    errors.push(`dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
}

/** axe-core on the page (no serious or critical violation) and a full-page screenshot named `name`. */
export async function checkView(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: join(await outputDir(), `${name}.png`), fullPage: true });
}

/** What a console browser test started, stopped in reverse: the browser, the server (which must exit 0), the temporary home. */
export async function stopConsoleTest(started: { browser?: Browser; server?: { stop(): Promise<CliRun> }; home?: { remove(): Promise<void> } }): Promise<void> {
  await started.browser?.close();
  const stopped = await started.server?.stop();
  expect(stopped?.code).toBe(0);
  await started.home?.remove();
}
