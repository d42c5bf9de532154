import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { isMethodName } from '../src/schemas/methods.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { UpstreamRpcError, UpstreamStyleClient } from './support/upstream-client.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

/** The error an upstream-style call fails with (the test fails if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<UpstreamRpcError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the call should fail').toBeInstanceOf(UpstreamRpcError);
  return error as UpstreamRpcError;
}

describe('a stock upstream Lightspeed v1 client against the gateway', () => {
  const contract = new ContractValidator();
  let test: TestHost;
  let server: ServingGateway;
  let client: UpstreamStyleClient;

  beforeAll(async () => {
    test = await startTestHost();
    server = await serveGateway(createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model as never, longPollCapMs: 5_000 } }));
    client = new UpstreamStyleClient(`${server.url}/rpc`);
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
  });

  it('drives the session core with requests shaped exactly as the upstream client sends them', async () => {
    const init = await client.call('initialize', { clientInfo: { name: '@lightspeed/agent-client', version: '0.0.0' }, capabilities: null });
    expect(init.result.protocolVersion).toBe('lightspeed.agent.api.v1');
    // As in the upstream client's own test: `{sessionId, config: null}`.
    const started = await client.call('session/start', { sessionId: 'upstream-1', config: null });
    expect(started.result.session).toMatchObject({ id: 'upstream-1', status: 'idle' });

    test.fake.enqueue({ text: 'Hello from the fake model.' });
    const run = await client.startRun('upstream-1', [{ type: 'text', text: 'say hello' }]);
    expect(['queued', 'running']).toContain(run.result.run.status);
    const sentStart = client.sent[client.sent.length - 1]!;
    expect(sentStart).toEqual({ id: sentStart.id, method: 'session/runs/start', params: { sessionId: 'upstream-1', source: { type: 'input', items: [{ type: 'text', text: 'say hello' }] }, submissionId: expect.any(String) } });
    // A retried start with the same submission id is the same run.
    const submissionId = (sentStart.params as { submissionId: string }).submissionId;
    expect((await client.startRun('upstream-1', [{ type: 'text', text: 'say hello' }], { submissionId })).result.run.id).toBe(run.result.run.id);

    // awaitRun keyed by position, two events a page (pages end inside log entries): nothing collapses.
    const byPosition = new Map<number, unknown>();
    const seen: unknown[] = [];
    const terminal = await client.awaitRun('upstream-1', run.result.run.id, {
      waitMs: 2_000,
      limit: 2,
      onEvent: (event) => {
        byPosition.set(event.cursor.seq, event);
        seen.push(event);
      },
    });
    expect(terminal.status).toBe('completed');
    expect(byPosition.size).toBe(seen.length);
    const whole = (await client.readEvents('upstream-1', { limit: 1_000 })).result.events as any[];
    expect(seen).toEqual(whole.filter((event) => event.cursor.seq <= terminal.cursor.seq));
    expect(seen.map((event: any) => event.kind.type)).toEqual(expect.arrayContaining(['sessionOpened', 'runAccepted', 'turnStarted', 'turnGenerationRequested', 'runCompleted']));

    // Errors are told apart by code alone, as the upstream client does.
    const runId = run.result.run.id;
    expect((await failure(client.call('session/runs/cancel', { sessionId: 'upstream-1', runId }))).kind).toBe('rejected');
    expect((await failure(client.call('session/runs/steer', { sessionId: 'upstream-1', runId, items: [{ type: 'text', text: 'late' }] }))).kind).toBe('rejected');
    expect((await failure(client.call('session/context/remove', { sessionId: 'upstream-1', keys: ['run.1'] }))).kind).toBe('rejected');
    expect((await failure(client.call('session/delete', { sessionId: 'upstream-1' }))).kind).toBe('rejected');
    expect((await failure(client.startRun('upstream-1', [{ type: 'text', text: 'something else' }], { submissionId }))).kind).toBe('conflict');
    expect((await failure(client.call('session/read', { sessionId: 'no-such-session' }))).kind).toBe('not_found');
    expect((await failure(client.call('session/runs/start', { sessionId: 'upstream-1', source: { type: 'teleport' } }))).kind).toBe('invalid_request');

    // A workspace from an upstream tree manifest, named.
    const put = await client.call('blobs/put', { blobs: [{ bytesBase64: Buffer.from('# hi\n').toString('base64') }] });
    const readme = put.result.blobs[0];
    const manifest = {
      schema_version: 'lightspeed.vfs.snapshot.v1',
      root: { entries: { docs: { kind: 'directory', entries: { 'README.md': { kind: 'file', blob_ref: readme.blobRef, size_bytes: readme.bytes, executable: false } } } } },
      totals: { files: 1, bytes: readme.bytes },
    };
    const snapshot = (await client.call('vfs/snapshots/commit', { manifest })).result;
    expect((await client.call('vfs/snapshots/read', { snapshotRef: snapshot.snapshotRef })).result.manifest).toEqual(manifest);
    const workspace = (await client.call('vfs/workspaces/create', { workspaceId: 'upstream-ws', displayName: 'Upstream docs', snapshotRef: snapshot.snapshotRef })).result.workspace;
    expect(workspace).toMatchObject({ displayName: 'Upstream docs', files: 1 });
    expect((await client.call('vfs/workspaces/read', { workspaceId: 'upstream-ws' })).result.workspace.displayName).toBe('Upstream docs');

    expect((await client.call('session/close', { sessionId: 'upstream-1' })).result.session.status).toBe('closed');
    expect((await client.call('session/delete', { sessionId: 'upstream-1' })).result.session.id).toBe('upstream-1');
    // Not one request carried a jsonrpc member, and every id counted up from 1.
    expect(client.sent.some((body) => 'jsonrpc' in body)).toBe(false);
    expect(client.sent.map((body) => body.id)).toEqual(client.sent.map((_body, index) => index + 1));
  });

  it('lists, activates and deactivates session skills with upstream-shaped requests, and the model gets the skill', async () => {
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    const skillText = '---\nname: pdf-tools\ndescription: Extract text from PDF files.\n---\nRun `extract.py` on the file.\n';
    const put = await client.call('blobs/put', { blobs: [{ bytesBase64: b64(skillText) }] });
    const blob = put.result.blobs[0];
    const file = { kind: 'file', blob_ref: blob.blobRef, size_bytes: blob.bytes, executable: false };
    const manifest = {
      schema_version: 'lightspeed.vfs.snapshot.v1',
      root: { entries: { '.lightspeed': { kind: 'directory', entries: { skills: { kind: 'directory', entries: { pdf: { kind: 'directory', entries: { 'SKILL.md': file } } } } } } } },
      totals: { files: 1, bytes: blob.bytes },
    };
    const { snapshotRef } = (await client.call('vfs/snapshots/commit', { manifest })).result;
    const vfs = { tools: 'readOnly', workspaceLinks: [{ path: '/workspace', access: 'readOnly', target: { type: 'snapshot', snapshotRef } }], skills: {} };
    await client.call('session/start', { sessionId: 'upstream-skills', config: { model, features: { vfs } } });
    const skillId = '/workspace/.lightspeed/skills/pdf';

    const listed = await client.call('session/skills/list', { sessionId: 'upstream-skills' });
    expect(contract.check(contract.resultRef('session/skills/list'), listed)).toEqual([]);
    expect(listed.result.skills).toEqual([{ skillId, name: 'pdf-tools', description: 'Extract text from PDF files.', enabled: true, active: false }]);
    expect(listed.result.catalogRef).toMatch(/^sha256:/);

    // The contract's default scope is `run`: the skill is in the next run's context and gone when that run ends.
    const runScoped = await client.call('session/skills/activate', { sessionId: 'upstream-skills', skillId });
    expect(contract.check(contract.resultRef('session/skills/activate'), runScoped)).toEqual([]);
    expect(runScoped.result.activation).toMatchObject({ skillId, scope: 'run' });
    test.fake.reset();
    test.fake.enqueue({ text: 'Using the skill once.' });
    const once = await client.startRun('upstream-skills', [{ type: 'text', text: 'extract it once' }]);
    expect((await client.awaitRun('upstream-skills', once.result.run.id, { waitMs: 2_000 })).status).toBe('completed');
    expect(JSON.stringify(test.fake.requests.map((request) => request.body))).toContain('# Skill: pdf-tools');
    expect((await client.call('session/skills/active', { sessionId: 'upstream-skills' })).result.activations).toEqual([]);
    const removedAtRunEnd = (await client.readEvents('upstream-skills', { limit: 1_000 })).result.events.filter((e: any) => e.kind.type === 'contextKeysRemoved');
    expect(removedAtRunEnd.map((e: any) => e.kind.keys)).toEqual([[`skills:active:${skillId}`]]);

    const params = { sessionId: 'upstream-skills', skillId, scope: 'session' };
    expect(contract.check(contract.paramsRef('session/skills/activate'), params)).toEqual([]);
    const activated = await client.call('session/skills/activate', params);
    expect(contract.check(contract.resultRef('session/skills/activate'), activated)).toEqual([]);
    expect(activated.result.activation).toMatchObject({ skillId, name: 'pdf-tools', catalogId: 'skills:catalog', catalogRef: listed.result.catalogRef, scope: 'session', source: { type: 'directContext' } });
    // Idempotent: a second activation appends nothing.
    const head = (await client.readEvents('upstream-skills', { limit: 1_000 })).result.headCursor.seq;
    expect((await client.call('session/skills/activate', params)).result.active).toHaveLength(1);
    expect((await client.readEvents('upstream-skills', { limit: 1_000 })).result.headCursor.seq).toBe(head);
    const active = await client.call('session/skills/active', { sessionId: 'upstream-skills' });
    expect(contract.check(contract.resultRef('session/skills/active'), active)).toEqual([]);
    expect(active.result.activations.map((a: any) => a.skillId)).toEqual([skillId]);
    expect((await client.call('session/skills/list', { sessionId: 'upstream-skills' })).result.skills[0].active).toBe(true);

    expect((await failure(client.call('session/skills/activate', { sessionId: 'upstream-skills', skillId: '/workspace/nope', scope: 'session' }))).kind).toBe('not_found');
    expect((await failure(client.call('session/skills/activate', { sessionId: 'no-such-session', skillId, scope: 'session' }))).kind).toBe('not_found');

    // The activation is in the context the next generation sends to the model.
    test.fake.reset();
    test.fake.enqueue({ text: 'Using the skill.' });
    const run = await client.startRun('upstream-skills', [{ type: 'text', text: 'extract the pdf' }]);
    expect((await client.awaitRun('upstream-skills', run.result.run.id, { waitMs: 2_000 })).status).toBe('completed');
    const sent = JSON.stringify(test.fake.requests.map((request) => request.body));
    expect(sent).toContain('# Skill: pdf-tools');
    expect(sent).toContain('Run `extract.py` on the file.');

    const deactivated = await client.call('session/skills/deactivate', { sessionId: 'upstream-skills', skillId });
    expect(contract.check(contract.resultRef('session/skills/deactivate'), deactivated)).toEqual([]);
    expect(deactivated.result).toEqual({ skillId, active: [] });
    expect((await failure(client.call('session/skills/deactivate', { sessionId: 'upstream-skills', skillId }))).kind).toBe('not_found');

    // A session without skills granted: an empty list, and activation is refused.
    await client.call('session/start', { sessionId: 'upstream-no-skills', config: null });
    expect((await client.call('session/skills/list', { sessionId: 'upstream-no-skills' })).result).toEqual({ catalogRef: null, skills: [] });
    expect((await failure(client.call('session/skills/activate', { sessionId: 'upstream-no-skills', skillId, scope: 'session' }))).kind).toBe('rejected');
  });

  it('gets -32601 naming the area for every contract method this server does not serve, never a silent success', async () => {
    const unserved = contract.methodNames().filter((method) => !isMethodName(method));
    expect(unserved.length).toBeGreaterThan(0);
    for (const method of unserved) {
      const error = await failure(client.call(method, {}));
      expect(error.code, method).toBe(-32601);
      expect(error.kind).toBe('method_not_found');
      // Each names its area (managed sessions, environments, auth, operator, or an issue 21 part).
      expect(error.message, method).toMatch(/managed sessions|issue 22|auth|operator|issue 21/);
      expect(error.message, method).not.toContain('see the method manifest');
    }
    // An unknown name that is no contract method keeps the generic answer.
    expect((await failure(client.call('session/teleport', {}))).message).toContain('see the method manifest');
  });
});
