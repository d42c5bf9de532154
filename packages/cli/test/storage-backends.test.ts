import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

describe('the CLI on PostgreSQL (LIGHTSPEED_POSTGRES_URL)', () => {
  let server: PostgresServer;
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startPostgres();
    home = await tempDir('ls-cli-pg-');
    env = cleanEnv(home.path, { LIGHTSPEED_POSTGRES_URL: server.url });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('refuses an unmigrated database, then `migrate` applies the schema once and chat runs on it', async () => {
    const before = await runCli(['chat', '--provider', 'fake', 'hello'], { env });
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('run `lightspeed migrate`');

    const migrate = await runCli(['migrate'], { env });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^postgresql: applied 1 /);
    const again = await runCli(['migrate'], { env });
    expect(again.stdout).toMatch(/^postgresql: schema is current \(version \d+\)/);

    const chat = await runCli(['chat', '--provider', 'fake', 'hello postgres'], { env });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('You said: hello postgres');
    const sessionId = /session (ses_\S+)/.exec(chat.stderr)![1]!;
    const list = await runCli(['sessions', 'list'], { env });
    expect(list.stdout).toContain(sessionId);
  }, 90_000);
});

describe('migrate on the embedded PGlite data dir', () => {
  it('applies the schema once and then reports it current', async () => {
    const home = await tempDir('ls-cli-migrate-');
    try {
      const env = cleanEnv(home.path);
      const first = await runCli(['migrate', '--data-dir', home.path], { env });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^pglite \S+\/pglite: applied 1 /);
      const second = await runCli(['migrate'], { env: { ...env, LIGHTSPEED_HOME: home.path } });
      expect(second.stdout).toMatch(/^pglite \S+\/pglite: schema is current \(version \d+\)/);
    } finally {
      await home.remove();
    }
  }, 60_000);
});
