import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChatInput } from '../src/chat/slash-commands.js';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

describe('command parsing and errors', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    home = await tempDir('ls-cli-parse-');
    env = cleanEnv(home.path);
  });
  afterAll(() => home.remove());

  it('--help lists every command and exits 0', async () => {
    const run = await runCli(['--help'], { env });
    expect(run.code).toBe(0);
    for (const command of ['serve', 'chat', 'sessions', 'runs', 'vfs', 'blobs', 'migrate']) expect(run.stdout).toContain(command);
  });

  it('an unknown command or option is a usage error (exit 2) with a one-line message', async () => {
    const unknown = await runCli(['frobnicate'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const option = await runCli(['sessions', 'list', '--frob'], { env });
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--frob'/);
  });

  it('chat without a provider key says how to set one and suggests the fake provider', async () => {
    const run = await runCli(['chat', '--data-dir', ':memory:', 'hello'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^lightspeed: no LLM provider is configured\n/);
    expect(run.stderr).toContain('OPENAI_API_KEY');
    expect(run.stderr).toContain('ANTHROPIC_API_KEY');
    expect(run.stderr).toContain('--provider fake');
    expect(run.stderr).toContain('not a real LLM');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('--provider openai without OPENAI_API_KEY names the variable', async () => {
    const run = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'openai', 'hello'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--provider openai needs OPENAI_API_KEY');
  });

  it('an unknown provider lists the known ones', async () => {
    const run = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'nope', 'hello'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown provider "nope"');
    expect(run.stderr).toMatch(/fake, openai, anthropic/);
  });

  it('an unknown or unavailable engine is a clear one-line error', async () => {
    const unknown = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'fake', '--engine', 'warp', 'hi'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^lightspeed: unknown engine "warp"\n {2}hint: available engines: embedded(, [a-z]+)*\n$/);
    // A registered engine that cannot run in this configuration says why, in one line with a hint.
    for (const engine of ['temporal', 'restate']) {
      const refused = await runCli(['serve', '--data-dir', ':memory:', '--provider', 'fake', '--engine', engine], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`^lightspeed: the ${engine} engine needs durable storage[^\n]*\n {2}hint: [^\n]+\n$`));
    }
  });

  it('rejects contradictory or malformed flags before doing any work', async () => {
    expect((await runCli(['chat', '--new', '--session', 's1', 'hi'], { env })).stderr).toContain('--new and --session exclude each other');
    expect((await runCli(['chat', '--json'], { env })).stderr).toContain('--json needs a message');
    const port = await runCli(['serve', '--port', 'eighty'], { env });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be an integer');
    for (const [flags, message] of [
      [['--headers-timeout', 'soon'], '--headers-timeout must be a positive number of seconds'],
      [['--idle-timeout', '0'], '--idle-timeout must be a positive number of seconds'],
      [['--max-connections-per-ip', '-3'], '--max-connections-per-ip must be a whole number'],
      [['--headers-timeout', '30', '--request-timeout', '10'], '--headers-timeout must not exceed --request-timeout'],
    ] as const) {
      const run = await runCli(['serve', '--data-dir', ':memory:', '--provider', 'fake', ...flags], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it('serve refuses a non-loopback bind in single-user mode', async () => {
    const run = await runCli(['serve', '--data-dir', ':memory:', '--provider', 'fake', '--host', '0.0.0.0', '--port', '0'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('refusing to serve single-user (unauthenticated) mode on 0.0.0.0');
    expect(run.stderr).toContain('--api-keys');
  });

  it('an unreachable --api-url is one line with a hint', async () => {
    const run = await runCli(['sessions', 'list', '--api-url', 'http://127.0.0.1:9'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lightspeed: cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(run.stderr).toContain('hint:');
  });
});

describe('interactive chat input', () => {
  it('parses messages and every slash command', () => {
    expect(parseChatInput('  hello  ')).toEqual({ type: 'message', text: 'hello' });
    expect(parseChatInput('')).toEqual({ type: 'empty' });
    expect(parseChatInput('/cancel')).toEqual({ type: 'cancel' });
    expect(parseChatInput('/steer look at b.md')).toEqual({ type: 'steer', text: 'look at b.md' });
    expect(parseChatInput('/steer')).toEqual({ type: 'invalid', message: 'usage: /steer <text>' });
    expect(parseChatInput('/model')).toEqual({ type: 'model' });
    expect(parseChatInput('/model fake/fake-model')).toEqual({ type: 'model', model: 'fake/fake-model' });
    expect(parseChatInput('/sessions')).toEqual({ type: 'sessions' });
    expect(parseChatInput('/session ses_1')).toEqual({ type: 'session', sessionId: 'ses_1' });
    expect(parseChatInput('/help')).toEqual({ type: 'help' });
    expect(parseChatInput('/quit')).toEqual({ type: 'quit' });
    expect(parseChatInput('/bogus')).toMatchObject({ type: 'invalid' });
  });
});

describe('--debug', () => {
  it('adds the stack trace to a failure', async () => {
    const home = await tempDir('ls-cli-debug-');
    try {
      const plain = await runCli(['sessions', 'list', '--api-url', 'http://127.0.0.1:9'], { env: cleanEnv(home.path) });
      expect(plain.stderr).not.toMatch(/\n\s+at /);
      const debug = await runCli(['--debug', 'sessions', 'list', '--api-url', 'http://127.0.0.1:9'], { env: cleanEnv(home.path) });
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/^lightspeed: cannot reach/);
      expect(debug.stderr).toMatch(/\n\s+at /);
    } finally {
      await home.remove();
    }
  });
});
