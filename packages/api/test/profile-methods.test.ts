import { randomUUID } from 'node:crypto';
import type { ProfileStore } from '@lightspeed/ports';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
const reviewer = (text: string, maxTurns = 4) => ({
  profileId: 'reviewer',
  displayName: 'Reviewer',
  description: 'Reviews diffs',
  config: { model, limits: { maxTurns } },
  instructions: { type: 'text', text },
});

describe.each(['pglite', 'postgres'] as const)('agent profiles through the API, stored in %s', (backend) => {
  const contract = new ContractValidator();
  let test: TestHost;
  let storage: Storage;
  let postgres: PostgresServer | undefined;
  let app: ReturnType<typeof createGateway>;
  let universe: string;
  let id = 0;

  beforeAll(async () => {
    if (backend === 'postgres') {
      postgres = await startPostgres();
      storage = await openStorage({ kind: 'postgres', url: postgres.url }, { migrate: true });
    } else {
      storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
    }
    test = await startTestHost();
    // Every test gets a fresh universe of the one database, as tenants would.
    const profiles = (_universe: string): ProfileStore => storage.profiles(universe);
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model, profiles } });
  });
  afterAll(async () => {
    await test?.stop();
    await storage?.close();
    await postgres?.stop();
  });

  /** A call whose params and result must both match the shared v1 contract. */
  async function call(method: string, params: Record<string, unknown>): Promise<any> {
    universe ??= `u-${randomUUID()}`;
    expect(contract.check(contract.paramsRef(method), params), `${method} params`).toEqual([]);
    const { json } = await rpc(app, { jsonrpc: '2.0', id: ++id, method, params });
    if (json.error) throw Object.assign(new Error(`${method}: ${json.error.message}`), { kind: json.error.data.kind, code: json.error.code });
    expect(contract.check(contract.resultRef(method), json.result), `${method} result`).toEqual([]);
    return json.result.result;
  }
  const failure = (method: string, params: Record<string, unknown>) => call(method, params).then(() => undefined, (error: { kind: string; message: string }) => error);
  const fresh = () => {
    universe = `u-${randomUUID()}`;
  };

  it('creates, reads, lists, replaces by expected revision (a stale one is a conflict) and deletes', async () => {
    fresh();
    const created = (await call('profiles/create', { profile: reviewer('v1') })).profile;
    expect(created).toMatchObject({ ...reviewer('v1'), revision: 1 });
    expect(await failure('profiles/create', { profile: reviewer('again') })).toMatchObject({ kind: 'conflict' });
    expect((await call('profiles/read', { profileId: 'reviewer' })).profile).toEqual(created);

    const replaced = (await call('profiles/put', { profile: reviewer('v2'), expectedRevision: 1 })).profile;
    expect(replaced).toMatchObject({ revision: 2, instructions: { type: 'text', text: 'v2' }, createdAtMs: created.createdAtMs });
    const stale = await failure('profiles/put', { profile: reviewer('v3'), expectedRevision: 1 });
    expect(stale).toMatchObject({ kind: 'conflict', code: -32009 });
    expect(stale!.message).toMatch(/revision 2, not 1/);
    // Unchanged content keeps the revision sessions are pinned to.
    expect((await call('profiles/put', { profile: reviewer('v2') })).profile.revision).toBe(2);

    await call('profiles/put', { profile: { profileId: 'another' } });
    const list = await call('profiles/list', {});
    expect(list.profiles).toEqual([
      { profileId: 'another', revision: 1, updatedAtMs: expect.any(Number) },
      { profileId: 'reviewer', revision: 2, updatedAtMs: replaced.updatedAtMs, description: 'Reviews diffs', displayName: 'Reviewer' },
    ]);
    expect((await call('profiles/delete', { profileId: 'reviewer' })).profile.revision).toBe(2);
    expect(await failure('profiles/read', { profileId: 'reviewer' })).toMatchObject({ kind: 'not_found' });
  });

  it('refuses at admission what would do nothing, naming the field', async () => {
    fresh();
    const inert = await failure('profiles/put', { profile: { profileId: 'p', config: { features: { environments: {} } } } });
    expect(inert).toMatchObject({ kind: 'invalid_request' });
    expect(inert!.message).toMatch(/profile\.config\.features\.environments: environments are not available/);
    expect((await failure('profiles/put', { profile: { profileId: 'p', environment: { type: 'existing', environmentId: 'e' } } }))!.message).toMatch(/profile\.environment/);
    // features.host is a Lightspeed extension (not in the contract), so this request goes raw.
    const host = await rpc(app, { jsonrpc: '2.0', id: ++id, method: 'profiles/put', params: { profile: { profileId: 'p', config: { features: { host: { root: '/tmp' } } } } } });
    expect(host.json.error.message).toMatch(/profile\.config\.features\.host is disabled/);
    const kind = await failure('profiles/put', { profile: { profileId: 'p', config: { model: { ...model, apiKind: 'nope' } } } });
    expect(kind).toMatchObject({ kind: 'invalid_request' });
    expect(kind!.message).toMatch(/profile\.config\.model\.apiKind/);
    const { json } = await rpc(app, { jsonrpc: '2.0', id: ++id, method: 'profiles/put', params: { profile: { profileId: 'p', instructon: {} } } });
    expect(json.error.message).toMatch(/unrecognized key.*instructon/i);
    expect(await failure('profiles/put', { profile: { profileId: 'p', instructions: { type: 'textRef', blobRef: `sha256:${'0'.repeat(64)}` } } })).toMatchObject({ kind: 'not_found' });
  });

  it('starts a session from a named profile with its revision pinned in the log', async () => {
    fresh();
    await call('profiles/put', { profile: reviewer('Be terse.', 3) });
    await call('profiles/put', { profile: reviewer('Be terse, and kind.', 5) });
    const { session } = await call('session/start', { sessionId: 's1', profile: { kind: 'named', profileId: 'reviewer' } });
    expect(session).toMatchObject({ displayName: 'Reviewer', config: { model, limits: { maxTurns: 5 } }, profile: { profileId: 'reviewer', revision: 2 } });
    expect(session.activeContext.entries).toContainEqual(
      expect.objectContaining({ key: 'prompt_instructions/profile', kind: { type: 'instructions' }, preview: 'Be terse, and kind.', source: { type: 'runtime', label: 'profile reviewer@2' } }),
    );
    const [opened] = await test.host.readEvents({ universe: 'local', sessionId: 's1' }, {});
    expect(opened).toMatchObject({ kind: 'session.opened', data: { config: { origin: { profileId: 'reviewer', revision: 2 }, limits: { maxTurns: 5 } } } });

    // The session keeps what it was started with when the profile changes or goes away.
    await call('profiles/delete', { profileId: 'reviewer' });
    expect((await call('session/read', { sessionId: 's1' })).session.profile).toEqual({ profileId: 'reviewer', revision: 2 });
    expect(await failure('session/start', { sessionId: 's2', profile: { kind: 'named', profileId: 'reviewer' } })).toMatchObject({ kind: 'not_found' });
  });

  it('applies a profile to an idle session, guarded by the config revision, and reports what changed', async () => {
    fresh();
    await call('session/start', { sessionId: 'a1', config: { model } });
    await call('profiles/put', { profile: reviewer('First.', 2) });
    const stale = await failure('session/profiles/apply', { sessionId: 'a1', profile: { kind: 'named', profileId: 'reviewer' }, expectedConfigRevision: 9 });
    expect(stale).toMatchObject({ kind: 'conflict' });

    const first = await call('session/profiles/apply', { sessionId: 'a1', profile: { kind: 'named', profileId: 'reviewer' }, expectedConfigRevision: 1 });
    expect(first.applied).toEqual({ configChanged: true, instructionsChanged: true, activeEnvironmentChanged: false, environmentProvisioned: false });
    expect(first.session).toMatchObject({ configRevision: 2, config: { limits: { maxTurns: 2 } }, profile: { profileId: 'reviewer', revision: 1 } });

    const again = await call('session/profiles/apply', { sessionId: 'a1', profile: { kind: 'named', profileId: 'reviewer' } });
    expect(again.applied).toMatchObject({ configChanged: false, instructionsChanged: false });
    expect(again.session.configRevision).toBe(2);

    const inline = await call('session/profiles/apply', { sessionId: 'a1', profile: { kind: 'inline', profile: { instructions: { type: 'text', text: 'Second.' } } } });
    expect(inline.applied).toMatchObject({ configChanged: false, instructionsChanged: true });
    expect(inline.session.activeContext.entries.filter((e: any) => e.key === 'prompt_instructions/profile')).toEqual([expect.objectContaining({ preview: 'Second.' })]);
    const refused = await failure('session/profiles/apply', { sessionId: 'a1', profile: { kind: 'inline', profile: { config: { features: { environments: {} } } } } });
    expect(refused!.message).toMatch(/profile\.profile\.config\.features\.environments/);
  });
});
