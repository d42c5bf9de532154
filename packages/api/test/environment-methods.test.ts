// environments/*, environments/jobs/*, environments/credentials/* and session/environments/* through
// the HTTP gateway with API keys (universes come from credentials), over PGlite and a real
// PostgreSQL (the host's CAS and workspaces are the SQL storage's), with real commands in local
// sandboxes (bubblewrap when this machine has it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeBubblewrap, UniverseEnvironments } from '@lightspeed/environments';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { processesWith, startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { Workspaces } from '@lightspeed/vfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth, singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';

const SECRET = 'sk-env-api-7c1d93e0a4';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (data: string) => Buffer.from(data, 'base64').toString('utf8');
const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };
const local = { bindingId: 'local', templateId: 'local' };
const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'];

describe.each(['pglite', 'postgres'] as const)('environments through the API on %s', (backend) => {
  const contract = new ContractValidator();
  let test: TestHost;
  let storage: Storage;
  let postgres: PostgresServer | undefined;
  let server: ServingGateway;
  let registry: MemoryApiKeyRegistry;
  let dir: string;
  let environments: UniverseEnvironments;
  const localServers: ServingGateway[] = [];
  let n = 0;

  beforeAll(async () => {
    if (backend === 'postgres') {
      postgres = await startPostgres();
      storage = await openStorage({ kind: 'postgres', url: postgres.url }, { migrate: true });
    } else {
      storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
    }
    dir = await mkdtemp(join(tmpdir(), 'ls-env-api-'));
    test = await startTestHost({ blobsOf: (universe) => storage.blobs(universe), workspacesOf: (universe) => storage.workspaces(universe) });
    environments = new UniverseEnvironments({
      base: join(dir, 'environments'),
      blobsOf: (universe) => storage.blobs(universe),
      workspacesOf: (universe) => new Workspaces(storage.workspaces(universe), storage.blobs(universe)),
      hidden: [dir],
      env: { PATH: process.env.PATH, API_TOKEN: SECRET },
    });
    registry = new MemoryApiKeyRegistry();
    server = await serveGateway(createGateway({ host: test.host, auth: apiKeyAuth(registry), options: { environments: { environments } } }));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    for (const local of localServers) await local.close();
    await test?.stop();
    await storage?.close();
    await postgres?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * A fresh universe and a workspace `ws` holding readme.md, called with its API key (commands only
   * in bubblewrap, no server variables), or as the single user of a server of its own (`local`:
   * trusted, as `lightspeed serve` without API keys), or as both on one universe (`shared`).
   */
  async function tenant(via: 'key' | 'local' = 'key', universe = `u-${++n}-${Date.now()}`) {
    let url = server.url;
    let headers: Record<string, string> = {};
    if (via === 'local') {
      const local = await serveGateway(createGateway({ host: test.host, auth: singleUserAuth(universe), options: { environments: { environments } } }));
      localServers.push(local);
      url = local.url;
    } else {
      headers = { authorization: `Bearer ${(await registry.createApiKey(universe)).key}` };
    }
    const raw = async (method: string, params: unknown) => {
      const response = await fetch(`${url}/rpc`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      return (await response.json()) as { result?: { result: any }; error?: { code: number; message: string; data: { kind: string } } };
    };
    const call = async (method: string, params: unknown): Promise<any> => {
      const body = await raw(method, params);
      if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { kind: body.error.data.kind });
      // Every answer keeps to the shared v1 contract (our extension fields are additive).
      if (contract.hasMethod(method)) expect(contract.check(contract.resultRef(method), body.result), `${method} result`).toEqual([]);
      return body.result!.result;
    };
    const failure = async (method: string, params: unknown) => {
      const body = await raw(method, params);
      expect(body.error, `${method} should fail`).toBeDefined();
      return { kind: body.error!.data.kind, message: body.error!.message };
    };
    const [readme] = (await call('blobs/put', { blobs: [{ bytesBase64: b64('one\n') }] })).blobs;
    const snapshot = await call('vfs/snapshots/commit', { manifest: { version: 1, files: [{ path: 'readme.md', blobRef: readme.blobRef }] } });
    if (!(await raw('vfs/workspaces/read', { workspaceId: 'ws' })).result) await call('vfs/workspaces/create', { workspaceId: 'ws', snapshotRef: snapshot.snapshotRef });
    /** Reads a job until it ended. */
    const settle = async (environmentId: string, jobId: string, extra: Record<string, unknown> = {}) => {
      for (let i = 0; i < 400; i++) {
        const [entry] = (await call('environments/jobs/read', { jobs: [{ environmentId, jobId }], ...extra })).jobs;
        if (TERMINAL.includes(entry.summary.status)) return entry;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`job ${jobId} did not end`);
    };
    return { universe, call, failure, settle };
  }

  it('creates an environment idempotently, runs a job that edits a file, and moves the workspace to the snapshot with a readable diff', async () => {
    const { call, failure, settle } = await tenant('local');
    const params = { requestId: 'env-1', ...local, workspaceId: 'ws', displayName: 'Edit', credentials: ['API_TOKEN'] };
    const { environment } = await call('environments/create', params);
    const bwrap = probeBubblewrap();
    expect(environment).toMatchObject({ environmentId: 'env-1', requestId: 'env-1', status: 'ready', displayName: 'Edit', source: { type: 'provisioned', providerId: 'local', bindingId: 'local' } });
    expect(environment.sandbox).toMatchObject({ workspaceId: 'ws', isolated: bwrap.available, state: 'ready', credentials: ['API_TOKEN'] });
    if (!bwrap.available) expect(environment.sandbox.notice).toMatch(/^not isolated: /);
    expect((await call('environments/create', params)).environment.createdAtMs).toBe(environment.createdAtMs);
    expect((await failure('environments/create', { ...params, network: true })).kind).toBe('conflict');
    expect((await call('environments/list', {})).environments.map((e: any) => e.environmentId)).toEqual(['env-1']);
    expect((await call('environments/credentials/list', { environmentId: 'env-1' })).credentials).toEqual([
      { environmentId: 'env-1', envName: 'API_TOKEN', source: { type: 'directSecret', secretId: 'env:API_TOKEN' }, createdAtMs: environment.createdAtMs, updatedAtMs: environment.createdAtMs },
    ]);

    const script = 'echo "token=$API_TOKEN"; echo warn >&2; sed -i s/one/two/ readme.md; echo run >> runs.txt';
    const started = await call('environments/jobs/create', { environmentId: 'env-1', requestId: 'edit-1', jobs: [{ argv: ['sh', '-c', script], name: 'edit' }] });
    expect(started).toMatchObject({ environmentId: 'env-1', jobGroupId: 'edit-1', jobs: [{ jobId: 'edit-1', handle: { environmentId: 'env-1', jobId: 'edit-1' }, name: 'edit' }] });
    expect(['queued', 'running']).toContain(started.jobs[0].status);

    const entry = await settle('env-1', 'edit-1', { includeArtifacts: true });
    expect(entry.summary).toMatchObject({ namespace: 'env-1', jobId: 'edit-1', status: 'succeeded', exitCode: 0, failure: null });
    expect(entry.outputChunks.map((chunk: any) => [chunk.seq, chunk.stream, unb64(chunk.dataBase64)])).toEqual([
      [0, 'stdout', 'token=[redacted:API_TOKEN]\n'],
      [1, 'stderr', 'warn\n'],
    ]);
    expect(entry.outputNextSeq).toBe(2);
    expect(entry.artifacts).toEqual([
      { path: '/readme.md', kind: 'modified', metadata: { beforeBlobRef: expect.stringMatching(/^sha256:/), afterBlobRef: expect.stringMatching(/^sha256:/) } },
      { path: '/runs.txt', kind: 'added', metadata: { afterBlobRef: expect.stringMatching(/^sha256:/) } },
    ]);
    const { result } = entry;
    expect(result).toMatchObject({ isolated: bwrap.available, changedFiles: 2, workspaceRevision: 2, conflict: null });
    const diff = unb64((await call('blobs/read', { blobRef: result.diffRef })).bytesBase64);
    expect(diff).toContain('diff --git a/readme.md b/readme.md');
    expect(diff).toContain('-one\n+two\n');
    expect(unb64((await call('blobs/read', { blobRef: result.stdoutRef })).bytesBase64)).not.toContain(SECRET);
    const { workspace } = await call('vfs/workspaces/read', { workspaceId: 'ws' });
    expect(workspace).toMatchObject({ revision: 2, headSnapshotRef: result.snapshotRef });
    expect(result.snapshotRef).not.toBe(result.preSnapshotRef);

    // Output continues from outputNextSeq, and outputBytes bounds what one read answers.
    const [later] = (await call('environments/jobs/read', { jobs: [{ environmentId: 'env-1', jobId: 'edit-1' }], afterSeq: 1 })).jobs;
    expect(later.outputChunks.map((chunk: any) => chunk.stream)).toEqual(['stderr']);
    const [bounded] = (await call('environments/jobs/read', { jobs: [{ environmentId: 'env-1', jobId: 'edit-1' }], outputBytes: 5 })).jobs;
    expect(bounded.outputChunks.map((chunk: any) => unb64(chunk.dataBase64)).join('')).toBe('token');

    // The same requestId answers the finished job; nothing runs again.
    const again = await call('environments/jobs/create', { environmentId: 'env-1', requestId: 'edit-1', jobs: [{ argv: ['sh', '-c', script], name: 'edit' }] });
    expect(again.jobs[0]).toMatchObject({ jobId: 'edit-1', status: 'succeeded' });
    const count = await call('environments/jobs/create', { environmentId: 'env-1', requestId: 'count', jobs: [{ argv: ['cat', 'runs.txt'] }, { argv: ['sh', '-c', 'exit 3'] }] });
    expect(count.jobs.map((job: any) => job.jobId)).toEqual(['count.1', 'count.2']);
    expect(unb64((await settle('env-1', 'count.1')).outputChunks[0].dataBase64)).toBe('run\n');
    expect((await settle('env-1', 'count.2')).summary).toMatchObject({ status: 'failed', exitCode: 3, failure: 'exit code 3' });

    // Closing keeps the jobs readable; a closed environment takes no more jobs.
    expect((await call('environments/close', { environmentId: 'env-1' })).environment).toMatchObject({ status: 'closed', sandbox: { state: 'closed' } });
    expect((await settle('env-1', 'edit-1')).summary.status).toBe('succeeded');
    expect((await failure('environments/jobs/create', { environmentId: 'env-1', requestId: 'late', jobs: [{ argv: ['true'] }] })).kind).toBe('conflict');
    expect((await call('environments/list', { status: 'ready' })).environments).toEqual([]);
  });

  it('cancelling a long job kills its process group and records it cancelled with the reason', async () => {
    const { call, settle } = await tenant('local');
    await call('environments/create', { requestId: 'long', ...local, workspaceId: 'ws' });
    const marker = `${Date.now() % 100000}.${Math.floor(Math.random() * 1000)}`;
    await call('environments/jobs/create', { environmentId: 'long', requestId: 'sleepy', jobs: [{ argv: ['sh', '-c', `sleep 3${marker} & sleep 4${marker}; wait`], timeoutMs: 60_000 }] });
    await call('environments/jobs/create', { environmentId: 'long', requestId: 'after', jobs: [{ argv: ['true'] }] });
    for (let i = 0; i < 200 && (await processesWith(`4${marker}`)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const [running] = (await call('environments/jobs/read', { jobs: [{ environmentId: 'long', jobId: 'sleepy' }] })).jobs;
    expect(running.summary.status).toBe('running');
    expect(running.outputChunks).toEqual([]);
    expect((await call('environments/read', { environmentId: 'long' })).environment.sandbox).toMatchObject({ state: 'running', runningCommandId: 'job:sleepy' });

    const startedAt = Date.now();
    const cancelled = await call('environments/jobs/cancel', { jobs: [{ environmentId: 'long', jobId: 'sleepy' }, { environmentId: 'long', jobId: 'nope' }], reason: 'took too long' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(cancelled.jobs[0].summary).toMatchObject({ jobId: 'sleepy', status: 'cancelled', failure: 'took too long' });
    expect(cancelled.jobs[1]).toMatchObject({ handle: { jobId: 'nope' }, error: expect.stringContaining('has no job nope') });
    expect(await processesWith(marker)).toEqual([]);
    expect((await settle('long', 'sleepy')).result).toMatchObject({ cancelled: true });
    // The job queued behind it still runs.
    expect((await settle('long', 'after')).summary.status).toBe('succeeded');
  });

  it('refuses fields a local sandbox cannot honour, by name, and the credential and session methods say why', async () => {
    const { call, failure } = await tenant();
    const base = { requestId: 'strict', ...local, workspaceId: 'ws' };
    const refused = async (method: string, params: unknown, field: string) => {
      const error = await failure(method, params);
      expect(error.kind, `${field}: ${error.message}`).toBe('invalid_request');
      expect(error.message).toContain(field);
    };
    await refused('environments/create', { ...base, idlePolicy: { stopAfterMs: 1000 } }, 'idlePolicy');
    await refused('environments/create', { ...base, templateId: 'ubuntu-24.04' }, 'templateId');
    await refused('environments/create', { ...base, bindingId: 'e2b' }, 'bindingId');
    await refused('environments/create', { ...base, metadata: { team: 'a' } }, 'metadata');
    await refused('environments/create', { ...base, powerState: 'running' }, 'powerState');
    await refused('environments/create', { ...base, requestId: '../escape' }, 'requestId');
    expect((await failure('environments/create', { ...base, workspaceId: 'missing' })).kind).toBe('not_found');
    await call('environments/create', base);
    const job = (extra: Record<string, unknown>) => ({ environmentId: 'strict', requestId: 'j', jobs: [{ argv: ['true'], ...extra }] });
    await refused('environments/jobs/create', job({ cwd: '/tmp' }), 'jobs.0.cwd');
    await refused('environments/jobs/create', job({ stdin: 'x' }), 'jobs.0.stdin');
    await refused('environments/jobs/create', job({ queueKey: 'q' }), 'jobs.0.queueKey');
    await refused('environments/jobs/create', job({ dependsOn: [{ jobId: 'a' }] }), 'jobs.0.dependsOn');
    await refused('environments/jobs/create', job({ timeoutMs: 10 * 60 * 60_000 }), 'jobs.0.timeoutMs');
    await refused('environments/jobs/create', job({ shell: true }), 'shell');
    await refused('environments/jobs/create', { ...job({}), jobs: [] }, 'jobs');
    await refused('environments/jobs/cancel', { jobs: [{ environmentId: 'strict', jobId: 'j' }], force: true }, 'force');
    await refused('environments/jobs/cancel', { jobs: [{ environmentId: 'strict', jobId: 'j' }], scope: 'dependents' }, 'scope');
    // Nothing was started by the refused requests.
    const [unknown] = (await call('environments/jobs/read', { jobs: [{ environmentId: 'strict', jobId: 'j' }] })).jobs;
    expect(unknown.error).toContain('has no job j');

    const bind = await failure('environments/credentials/bind', { environmentId: 'strict', envName: 'NPM_TOKEN', source: { type: 'directSecret', secretId: 's1' } });
    expect(bind).toMatchObject({ kind: 'rejected', message: expect.stringContaining('server environment variables named at environments/create') });
    expect((await failure('environments/credentials/unbind', { environmentId: 'strict', envName: 'NPM_TOKEN' })).kind).toBe('rejected');
    expect((await failure('environments/credentials/bind', { environmentId: 'nope', envName: 'X', source: { type: 'directSecret', secretId: 's1' } })).kind).toBe('not_found');
    await call('session/start', { sessionId: 's-env', config: { model } });
    expect((await failure('session/environments/activate', { sessionId: 's-env', environmentId: 'strict' })).message).toContain('no environment-targeted tools');
    expect((await failure('session/environments/activate', { sessionId: 's-env', environmentId: 'nope' })).kind).toBe('not_found');
    expect((await failure('session/environments/deactivate', { sessionId: 's-env' })).kind).toBe('rejected');
    expect((await failure('session/environments/deactivate', { sessionId: 'no-session' })).kind).toBe('not_found');
  });

  it('API-key callers run commands only in bubblewrap and never get the server environment or network', async () => {
    expect(() => createGateway({ host: test.host, auth: apiKeyAuth(registry), options: { environments: { environments, trusted: true } } })).toThrow(/trusted environments need single-user auth/);
    const keyed = await tenant('key');
    const trusted = await tenant('local', keyed.universe);
    const base = { requestId: 'remote', ...local, workspaceId: 'ws' };
    for (const [extra, field] of [
      [{ isolation: 'none' }, 'isolation'],
      [{ network: true }, 'network'],
      [{ envAllow: ['PATH'] }, 'envAllow'],
      [{ credentials: ['API_TOKEN'] }, 'credentials'],
    ] as const) {
      const error = await keyed.failure('environments/create', { ...base, ...extra });
      expect(error.kind).toBe('invalid_request');
      expect(error.message).toMatch(new RegExp(`^${field}: API-key callers run commands only in a bubblewrap sandbox`));
    }
    // An environment a trusted caller made with the server's variables takes no jobs from a key.
    await trusted.call('environments/create', { requestId: 'with-token', ...local, workspaceId: 'ws', credentials: ['API_TOKEN'] });
    const refused = await keyed.failure('environments/jobs/create', { environmentId: 'with-token', requestId: 'leak', jobs: [{ argv: ['sh', '-c', 'echo $API_TOKEN > leak.txt'] }] });
    expect(refused).toMatchObject({ kind: 'rejected', message: expect.stringContaining('credentials: API-key callers') });
    await trusted.call('environments/create', { requestId: 'bare', ...local, workspaceId: 'ws', isolation: 'none' });
    expect((await keyed.failure('environments/jobs/create', { environmentId: 'bare', requestId: 'host', jobs: [{ argv: ['true'] }] })).message).toContain('isolation: API-key callers');
    await keyed.call('environments/create', base);
    if (probeBubblewrap().available) {
      await keyed.call('environments/jobs/create', { environmentId: 'remote', requestId: 'sandboxed', jobs: [{ argv: ['sh', '-c', 'echo "[${API_TOKEN:-unset}]"'] }] });
      const entry = await keyed.settle('remote', 'sandboxed');
      expect(unb64(entry.outputChunks[0].dataBase64)).toBe('[unset]\n');
      expect(entry.result.isolated).toBe(true);
    } else {
      expect((await keyed.failure('environments/jobs/create', { environmentId: 'remote', requestId: 'sandboxed', jobs: [{ argv: ['true'] }] })).message).toContain('not isolated');
    }
  });

  it("keeps universes apart: another universe's key can neither read nor run another's environment", async () => {
    const a = await tenant('local');
    const b = await tenant();
    await a.call('environments/create', { requestId: 'mine', ...local, workspaceId: 'ws', sessionId: 's-a' });
    await a.call('environments/jobs/create', { environmentId: 'mine', requestId: 'r1', jobs: [{ argv: ['true'] }] });
    await a.settle('mine', 'r1');
    expect((await b.failure('environments/read', { environmentId: 'mine' })).kind).toBe('not_found');
    expect((await b.call('environments/list', {})).environments).toEqual([]);
    expect((await b.failure('environments/jobs/create', { environmentId: 'mine', requestId: 'r2', jobs: [{ argv: ['true'] }] })).kind).toBe('not_found');
    expect((await b.call('environments/jobs/read', { jobs: [{ environmentId: 'mine', jobId: 'r1' }] })).jobs[0].error).toContain('does not exist');
    expect((await b.failure('environments/close', { environmentId: 'mine' })).kind).toBe('not_found');
    // The same id in the other universe is its own environment.
    expect((await b.call('environments/create', { requestId: 'mine', ...local, workspaceId: 'ws' })).environment.originSession).toBeNull();
    expect((await a.call('environments/list', { originSessionId: 's-a' })).environments.map((e: any) => e.originSession)).toEqual([{ sessionId: 's-a', closeWithSession: false }]);
    expect((await a.call('environments/read', { environmentId: 'mine' })).environment.sandbox.state).toBe('ready');
  });
});
