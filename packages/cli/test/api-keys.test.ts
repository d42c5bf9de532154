import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, spawnCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';

async function listSessions(url: string, key: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session/list', params: {} }),
  });
  return { status: response.status, body: await response.json() };
}

describe('lightspeed keys against a running serve', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let keys: string;
  let firstKey: string;
  let server: { url: string; stop(): Promise<CliRun> };

  beforeAll(async () => {
    home = await tempDir('ls-cli-keys-live-');
    env = cleanEnv(home.path);
    keys = join(home.path, 'keys.json');
    const created = await runCli(['keys', 'create', '--universe', 'team-a', '--name', 'first', '--api-keys', keys], { env });
    expect(created.code).toBe(0);
    firstKey = created.stdout.trim();
    server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--api-keys', keys], env);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('a key created while serve runs authenticates at once, lists without its secret, and is refused from the next request after revoke', async () => {
    // Created by another process: the server was never told, it must notice the file changed.
    const created = await spawnCli(['keys', 'create', '--universe', 'team-b', '--name', 'late comer', '--api-keys', keys], env);
    expect(created.code, created.stderr).toBe(0);
    const lateKey = created.stdout.trim();
    const keyId = /^lsk_([a-f0-9]{12})_/.exec(lateKey)![1]!;
    expect((await listSessions(server.url, lateKey)).status).toBe(200);
    expect((await stat(keys)).mode & 0o777).toBe(0o600);

    const listed = await runCli(['keys', 'list', '--api-keys', keys], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).toContain(`lsk_${keyId}_…`);
    expect(listed.stdout).toMatch(new RegExp(`${keyId}.*team-b\\tlate comer\\t\\d{4}-\\d\\d-\\d\\dT.*\\tactive`));
    expect(listed.stdout).toContain('first');
    const file = JSON.parse(await readFile(keys, 'utf8')) as { keys: { hash: string }[] };
    // A secret is base64url (it may hold `_`): cut after the fixed `lsk_<12 hex>_` prefix.
    const secretOf = (key: string) => key.slice('lsk_'.length + 12 + 1);
    for (const secret of [secretOf(lateKey), secretOf(firstKey), ...file.keys.map((k) => k.hash)]) {
      expect(listed.stdout + listed.stderr).not.toContain(secret);
    }

    const revoked = await spawnCli(['keys', 'revoke', keyId.slice(0, 6), '--api-keys', keys], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain(`key ${keyId} (universe team-b) revoked`);
    const refused = await listSessions(server.url, lateKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toContain('unknown or revoked');
    expect((await listSessions(server.url, firstKey)).status).toBe(200);
    expect((await runCli(['keys', 'list', '--api-keys', keys], { env })).stdout).toMatch(new RegExp(`${keyId}.*\\trevoked \\d{4}-`));
  }, 60_000);

  it('revoking a key that does not exist is a not_found failure', async () => {
    const run = await runCli(['keys', 'revoke', 'lsk_0123456789ab', '--api-keys', keys], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lightspeed: no API key "lsk_0123456789ab" in .*keys list.*\(not_found\)/);
  });
});
