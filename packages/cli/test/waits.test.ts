// Durable waits from the CLI: the agent's questions answered in interactive and one-shot chat, and
// `lightspeed waits` against a `lightspeed serve` (embedded engine) that is SIGKILLed while a run
// waits on a question and on a sleep timer.
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { freePort } from '@lightspeed/testkit';
import { describe, expect, it } from 'vitest';
import { cleanEnv, eventually, runCli, tempDir } from './support/cli-harness.js';
import { startServeProcess } from './support/serve-process.js';

const ASK = 'use ask_user {"question":"Which colour?","choices":["red","blue"]}';

async function rpc(url: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const json: any = await response.json();
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result.result;
}

describe('questions in chat', () => {
  it('piped interactive chat shows the question with numbered choices and answers it with the next line', async () => {
    const home = await tempDir('ls-cli-ask-');
    try {
      const stdin = new PassThrough();
      stdin.end(`${ASK}\n2\n/quit\n`);
      const run = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--ask-user'], { env: cleanEnv(home.path), stdin });
      expect(run.stderr).not.toContain('lightspeed:');
      expect(run.code).toBe(0);
      const asked = run.stdout.indexOf('? Which colour?');
      expect(asked).toBeGreaterThan(0);
      expect(run.stdout).toContain('  1) red\n  2) blue\n');
      const answered = run.stdout.indexOf('(answered: blue)');
      expect(answered).toBeGreaterThan(asked);
      expect(run.stdout.indexOf('< tool ask_user: ok')).toBeGreaterThan(answered);
    } finally {
      await home.remove();
    }
  }, 60_000);

  it('piped chat asks before each call of an --ask-before tool: no denies with a reason, a approves the tool for the session', async () => {
    const home = await tempDir('ls-cli-approve-');
    try {
      const stdin = new PassThrough();
      const nap = 'use sleep {"seconds":1}';
      stdin.end(`${nap}\nn not today\n${nap}\na\n${nap}\n/quit\n`);
      const run = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--timers', '--ask-before', 'sleep'], { env: cleanEnv(home.path), stdin });
      expect(run.stderr).not.toContain('lightspeed:');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('? approve sleep({"seconds":1})\n  y = yes · a = always for this session · n [reason] = no\n');
      // Asked twice: the third call runs without asking once the tool is approved for the session.
      expect(run.stdout.split('? approve sleep').length - 1).toBe(2);
      expect(run.stdout).toContain('(denied)');
      expect(run.stdout).toContain('(approved sleep for this session)');
      expect(run.stdout).toContain('< tool sleep: FAILED');
      expect(run.stdout.split('< tool sleep: ok').length - 1).toBe(2);
    } finally {
      await home.remove();
    }
  }, 60_000);

  it('one-shot chat asks on stderr and reads the answer from stdin; an answer off the list is refused and asked again', async () => {
    const home = await tempDir('ls-cli-ask1-');
    try {
      const stdin = new PassThrough();
      stdin.end('green\nred\n');
      const run = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--ask-user', ASK], { env: cleanEnv(home.path), stdin });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('? Which colour?');
      expect(run.stderr).toContain('answer: expected one of the offered choices: "red", "blue"');
      expect(run.stderr).toContain('(answered: red)');
      expect(run.stdout).toContain('< tool ask_user: ok');
    } finally {
      await home.remove();
    }
  }, 60_000);
});

describe('lightspeed waits against a server killed while a run waits', () => {
  it('the question survives a SIGKILL, is listed and answered after the restart, and a sleep timer fires on the new process', async () => {
    const home = await tempDir('ls-cli-waits-');
    const env = cleanEnv(home.path);
    const port = await freePort();
    const args = ['--provider', 'fake', '--data-dir', join(home.path, 'data')];
    let server = await startServeProcess({ args, env, port, logDir: home.path, name: 'serve-1' });
    try {
      const { session } = await rpc(server.url, 'session/start', { config: { features: { askUser: {}, timers: {} } } });
      const { run } = await rpc(server.url, 'session/runs/start', { sessionId: session.id, source: { type: 'input', items: [{ type: 'text', text: ASK }] } });
      const listed = await eventually(async () => {
        const out = await runCli(['waits', 'list', session.id, '--api-url', server.url], { env });
        return out.stdout.includes('question') ? out : undefined;
      }, 30_000);
      const [promiseId, kind, question] = listed.stdout.trim().split('\t');
      expect(kind).toBe('question');
      expect(question).toBe('Which colour? [red | blue]');

      await server.kill();
      server = await startServeProcess({ args, env, port, logDir: home.path, name: 'serve-2' });
      const again = await runCli(['waits', 'list', session.id, '--api-url', server.url, '--json'], { env });
      expect(JSON.parse(again.stdout).waits.map((w: any) => w.promiseId)).toEqual([promiseId]);
      const off = await runCli(['waits', 'answer', session.id, promiseId!, 'green', '--api-url', server.url], { env });
      expect(off.code).toBe(1);
      expect(off.stderr).toContain('expected one of the offered choices');
      const answer = await runCli(['waits', 'answer', session.id, promiseId!, 'red', '--api-url', server.url], { env });
      expect(answer.stdout).toBe(`${promiseId}: resolved\n`);
      const twice = await runCli(['waits', 'answer', session.id, promiseId!, 'blue', '--api-url', server.url], { env });
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('already resolved');
      const runEnded = async (sessionId: string, runId: string) =>
        eventually(async () => {
          const read = await rpc(server.url, 'session/read', { sessionId });
          const found = read.session.runs.find((r: any) => r.id === runId);
          return found && found.status !== 'running' && found.status !== 'queued' ? found : undefined;
        }, 30_000);
      expect((await runEnded(session.id, run.id)).status).toBe('completed');

      // A sleep: killed while it waits, the timer fires on the restarted server.
      const nap = await rpc(server.url, 'session/runs/start', { sessionId: session.id, source: { type: 'input', items: [{ type: 'text', text: 'use sleep {"seconds":3}' }] } });
      await eventually(async () => ((await rpc(server.url, 'session/waits/list', { sessionId: session.id })).waits.length > 0 ? true : undefined), 30_000);
      const [timer] = (await rpc(server.url, 'session/waits/list', { sessionId: session.id })).waits;
      expect(timer.kind).toBe('timer');
      await server.kill();
      server = await startServeProcess({ args, env, port, logDir: home.path, name: 'serve-3' });
      const napped = await runEnded(session.id, nap.run.id);
      expect(napped.status).toBe('completed');
      expect(Date.now()).toBeGreaterThanOrEqual(timer.deadlineMs);
      const none = await runCli(['waits', 'list', session.id, '--api-url', server.url], { env });
      expect(none.stderr).toContain('waits on nothing');
    } finally {
      await server.stop();
      await home.remove();
    }
  }, 120_000);
});
