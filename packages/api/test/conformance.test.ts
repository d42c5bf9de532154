import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UniverseEnvironments } from '@lightspeed/environments';
import { argumentsFromSchema } from '@lightspeed/fake-provider';
import { Workspaces } from '@lightspeed/vfs';
import { MemoryMcpServerStore } from '@lightspeed/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { EXTENSION_METHODS, methodSpecs } from '../src/schemas/methods.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

describe('Lightspeed agent API v1 conformance', () => {
  const contract = new ContractValidator();
  const covered = new Set<string>();
  let test: TestHost;
  let server: ServingGateway;
  let nextId = 1;
  let environmentsDir: string;

  beforeAll(async () => {
    test = await startTestHost();
    const mcpServers = new MemoryMcpServerStore();
    environmentsDir = await mkdtemp(join(tmpdir(), 'ls-conf-env-'));
    const environments = new UniverseEnvironments({
      base: environmentsDir,
      blobsOf: (universe) => test.host.blobs(universe),
      workspacesOf: (universe) => new Workspaces(test.host.workspaces(universe), test.host.blobs(universe)),
      env: { PATH: process.env.PATH, CONF_TOKEN: 'conf-secret' },
    });
    server = await serveGateway(createGateway({ host: test.host, auth: singleUserAuth(), options: { longPollCapMs: 5_000, mcpServers: { catalog: () => mcpServers }, environments: { environments } } }));
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
    if (environmentsDir) await rm(environmentsDir, { recursive: true, force: true });
  });

  /** One JSON-RPC call; request and response are both checked against the shared contract. */
  async function call(method: string, params: Record<string, unknown>): Promise<any> {
    expect(contract.check(contract.paramsRef(method), params), `${method} params`).toEqual([]);
    const id = nextId++;
    const response = await fetch(`${server.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id, method, params }) });
    const body = (await response.json()) as any;
    expect(body.id).toBe(id);
    if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpc: body.error });
    expect(contract.check(contract.resultRef(method), body.result), `${method} result`).toEqual([]);
    covered.add(method);
    return body.result.result;
  }

  /** The upstream server's code for each kind: its client derives the kind from the code alone. */
  const UPSTREAM_CODE: Record<string, number> = { invalid_request: -32602, not_found: -32004, conflict: -32009, rejected: -32010, session_bootstrap_failed: -32011, internal: -32603 };

  /** A call that must fail: the error must be a contract JsonRpcError of the given kind, with the upstream code. */
  async function callFails(method: string, params: Record<string, unknown>, kind: string): Promise<any> {
    const response = await fetch(`${server.url}/rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }) });
    const body = (await response.json()) as any;
    expect(body.error, `${method} should fail with ${kind}`).toBeDefined();
    expect(contract.check('#/definitions/JsonRpcError', body.error)).toEqual([]);
    expect(body.error.data.kind).toBe(kind);
    expect(body.error.code, `${method} code`).toBe(UPSTREAM_CODE[kind]);
    return body.error;
  }

  /** Follows events (long-polling) until the run reaches a terminal event; returns every event seen. */
  async function awaitRunEnd(sessionId: string, runId: string, after = 0): Promise<{ events: any[]; terminal: string }> {
    const events: any[] = [];
    let cursor = after;
    for (let round = 0; round < 100; round++) {
      const page = await call('session/events/read', { sessionId, after: { seq: cursor }, waitMs: 2_000, limit: 50 });
      events.push(...page.events);
      cursor = page.nextCursor.seq;
      const end = page.events.find((event: any) => ['runCompleted', 'runFailed', 'runCancelled'].includes(event.kind.type) && event.kind.runId === runId);
      if (end) return { events, terminal: end.kind.type };
    }
    throw new Error(`run ${runId} did not finish`);
  }

  async function awaitRunStatus(sessionId: string, runId: string, status: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { session } = await call('session/read', { sessionId });
      if (session.runs.find((run: any) => run.id === runId)?.status === status) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`run ${runId} never became ${status}`);
  }

  it('serves a scripted scenario through every method with contract-valid requests and responses', async () => {
    // Protocol and models.
    const init = await call('initialize', { clientInfo: { name: 'conformance', version: '1' }, capabilities: { experimentalApi: false } });
    expect(init.protocolVersion).toBe('lightspeed.agent.api.v1');
    const models = await call('models/list', { selectableOnly: true });
    expect(models.models).toContainEqual(expect.objectContaining(model));

    // Blobs.
    const put = await call('blobs/put', { blobs: [{ bytesBase64: b64('# Demo\n') }, { bytesBase64: b64('export const x = 1;\n') }, { bytesBase64: b64('Context from a blob.') }] });
    const [readme, main, note] = put.blobs;
    expect(readme.bytes).toBe(7);
    const has = await call('blobs/has', { blobRefs: [readme.blobRef, `sha256:${'0'.repeat(64)}`] });
    expect(has.blobs.map((b: any) => b.exists)).toEqual([true, false]);
    const read = await call('blobs/read', { blobRef: main.blobRef });
    expect(Buffer.from(read.bytesBase64, 'base64').toString()).toBe('export const x = 1;\n');

    // VFS snapshots (the upstream tree manifest) and workspaces.
    const tree = {
      schema_version: 'lightspeed.vfs.snapshot.v1',
      root: {
        entries: {
          'README.md': { kind: 'file', blob_ref: readme.blobRef, size_bytes: 7, executable: false },
          src: { kind: 'directory', entries: { 'main.ts': { kind: 'file', blob_ref: main.blobRef, size_bytes: 20, executable: false } } },
        },
      },
      totals: { files: 2, bytes: 27 },
    };
    const snapshot = await call('vfs/snapshots/commit', { manifest: tree });
    expect(snapshot).toMatchObject({ files: 2, bytes: 7 + 20 });
    const snapshotRead = await call('vfs/snapshots/read', { snapshotRef: snapshot.snapshotRef });
    expect(snapshotRead.manifest).toEqual(tree);
    const created = await call('vfs/workspaces/create', { workspaceId: 'ws-conf', snapshotRef: snapshot.snapshotRef, displayName: 'conformance' });
    expect(created.workspace).toMatchObject({ workspaceId: 'ws-conf', displayName: 'conformance', headSnapshotRef: snapshot.snapshotRef, files: 2, revision: 1 });
    expect((await call('vfs/workspaces/read', { workspaceId: 'ws-conf' })).workspace).toMatchObject({ revision: 1, displayName: 'conformance' });
    const scratch = await call('vfs/workspaces/create', {});
    const smaller = await call('vfs/snapshots/commit', { manifest: { version: 1, files: [{ path: 'README.md', blobRef: readme.blobRef }] } });
    const updated = await call('vfs/workspaces/update', { workspaceId: scratch.workspace.workspaceId, snapshotRef: smaller.snapshotRef, expectedRevision: 1, displayName: 'scratch' });
    expect(updated.workspace).toMatchObject({ revision: 2, files: 1, displayName: 'scratch' });
    await callFails('vfs/workspaces/update', { workspaceId: scratch.workspace.workspaceId, snapshotRef: smaller.snapshotRef, expectedRevision: 1 }, 'conflict');
    const listed = await call('vfs/workspaces/list', {});
    expect(listed.workspaces.map((w: any) => w.workspaceId).sort()).toEqual([scratch.workspace.workspaceId, 'ws-conf'].sort());

    // Sessions.
    const sessionId = 'conf-1';
    const config = {
      model,
      limits: { maxTurns: 8 },
      features: { vfs: { version: 1, tools: 'edit', workspaceLinks: [{ path: '/workspace', target: { type: 'workspace', workspaceId: 'ws-conf' }, access: 'readWrite' }] } },
    };
    const started = await call('session/start', { sessionId, displayName: 'Conformance', config });
    expect(started.session).toMatchObject({ id: sessionId, status: 'idle', displayName: 'Conformance', configRevision: 1, config });
    const again = await call('session/start', { sessionId, config: { model: { ...model, model: 'other' } } });
    expect(again.session.config).toEqual(config);
    const tools = started.session.activeTools.tools;
    expect(tools.length).toBeGreaterThan(0);
    expect((await call('session/read', { sessionId })).session.id).toBe(sessionId);
    expect((await call('session/list', { limit: 10 })).sessions.map((s: any) => s.id)).toContain(sessionId);
    const reconfigured = { ...config, generation: { maxOutputTokens: 512 } };
    const put2 = await call('session/config/put', { sessionId, config: reconfigured, expectedConfigRevision: 1 });
    expect(put2.session).toMatchObject({ configRevision: 2, config: reconfigured });
    await callFails('session/config/put', { sessionId, config, expectedConfigRevision: 1 }, 'conflict');
    expect((await call('session/rename', { sessionId, displayName: 'Renamed' })).session.displayName).toBe('Renamed');

    // Agent profiles: a session starts from one by name and can have another applied.
    const profile = { profileId: 'conf-agent', displayName: 'Agent', description: 'd', config: { model, limits: { maxTurns: 3 } }, instructions: { type: 'text', text: 'Be brief.' } };
    expect((await call('profiles/create', { profile })).profile).toMatchObject({ ...profile, revision: 1 });
    await callFails('profiles/create', { profile }, 'conflict');
    expect((await call('profiles/put', { profile: { ...profile, description: 'e' }, expectedRevision: 1 })).profile.revision).toBe(2);
    await callFails('profiles/put', { profile, expectedRevision: 1 }, 'conflict');
    expect((await call('profiles/read', { profileId: 'conf-agent' })).profile.description).toBe('e');
    expect((await call('profiles/list', {})).profiles).toContainEqual(expect.objectContaining({ profileId: 'conf-agent', revision: 2 }));
    const fromProfile = await call('session/start', { sessionId: 'conf-profiled', profile: { kind: 'named', profileId: 'conf-agent' } });
    expect(fromProfile.session).toMatchObject({ config: { limits: { maxTurns: 3 } }, profile: { profileId: 'conf-agent', revision: 2 } });
    const applied = await call('session/profiles/apply', { sessionId: 'conf-profiled', profile: { kind: 'inline', profile: { config: { model, limits: { maxTurns: 6 } } } }, expectedConfigRevision: 1 });
    expect(applied).toMatchObject({ applied: { configChanged: true, instructionsChanged: false }, session: { configRevision: 2 } });
    expect((await call('profiles/delete', { profileId: 'conf-agent' })).profile.revision).toBe(2);
    await callFails('profiles/read', { profileId: 'conf-agent' }, 'not_found');

    // Context edits.
    const appended = await call('session/context/append', {
      sessionId,
      entries: [
        { key: 'note', item: { type: 'text', text: 'Answer briefly.' } },
        { key: 'doc', item: { type: 'textRef', blobRef: note.blobRef } },
        { key: 'missing', item: { type: 'textRef', blobRef: `sha256:${'1'.repeat(64)}` } },
      ],
    });
    expect(appended.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'failed']);
    const repeated = await call('session/context/append', { sessionId, entries: [{ key: 'note', item: { type: 'text', text: 'Answer briefly.' } }] });
    expect(repeated.results[0].status).toBe('unchanged');
    expect(repeated.contextRevision).toBe(appended.contextRevision);
    const removed = await call('session/context/remove', { sessionId, keys: ['doc', 'never-there'] });
    expect(removed.results).toEqual([
      { key: 'doc', status: 'removed' },
      { key: 'never-there', status: 'absent' },
    ]);
    await callFails('session/context/remove', { sessionId, keys: ['run.1'] }, 'rejected');

    // A run with a tool call: the fake model calls a real tool with schema-valid arguments.
    const tool = tools.find((t: any) => /list|ls|glob/i.test(t.toolId)) ?? tools[0];
    const definition = JSON.parse(Buffer.from((await call('blobs/read', { blobRef: tool.kind.inputSchemaRef })).bytesBase64, 'base64').toString());
    test.fake.enqueue({ toolCalls: [{ name: tool.toolId, arguments: argumentsFromSchema(definition.inputSchema ?? definition.parameters ?? {}) }] }, { text: 'Listed the workspace.' });
    const run1 = await call('session/runs/start', { sessionId, submissionId: 'sub-1', source: { type: 'input', items: [{ type: 'text', text: 'list the workspace' }] } });
    expect(['queued', 'running']).toContain(run1.run.status);
    const retried = await call('session/runs/start', { sessionId, submissionId: 'sub-1', source: { type: 'input', items: [{ type: 'text', text: 'list the workspace' }] } });
    expect(retried.run.id).toBe(run1.run.id);
    const run1End = await awaitRunEnd(sessionId, run1.run.id);
    expect(run1End.terminal).toBe('runCompleted');
    const kinds = run1End.events.map((event: any) => event.kind.type);
    for (const kind of ['sessionOpened', 'runAccepted', 'runStarted', 'turnStarted', 'toolBatchStarted', 'toolCallCompleted', 'toolBatchCompleted', 'turnCompleted', 'runCompleted']) expect(kinds).toContain(kind);
    const afterRun1 = (await call('session/read', { sessionId })).session;
    const finished = afterRun1.runs.find((run: any) => run.id === run1.run.id);
    expect(finished.status).toBe('completed');
    expect(finished.toolBatches[0].calls[0].toolName).toBe(tool.toolId);
    const texts = finished.entries.filter((entry: any) => entry.kind.type === 'message').map((entry: any) => [entry.kind.role, entry.text]);
    expect(texts).toEqual([
      ['user', 'list the workspace'],
      ['assistant', 'Listed the workspace.'],
    ]);
    expect(finished.entries.some((entry: any) => entry.kind.type === 'toolResult' && typeof entry.text === 'string')).toBe(true);

    // Steering a running run (the fake model answers slowly so the run is mid-turn).
    test.fake.enqueue({ text: 'Slow answer.', firstTokenDelayMs: 1_000 }, { text: 'Answer after steering.' });
    const run2 = await call('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: 'think slowly' }] } });
    await awaitRunStatus(sessionId, run2.run.id, 'running');
    const steered = await call('session/runs/steer', { sessionId, runId: run2.run.id, items: [{ type: 'text', text: 'also be polite' }] });
    expect(steered.steeringId).toMatch(/\S/);
    expect((await awaitRunEnd(sessionId, run2.run.id)).terminal).toBe('runCompleted');
    await callFails('session/runs/steer', { sessionId, runId: run2.run.id, items: [{ type: 'text', text: 'late' }] }, 'rejected');

    // Cancelling a running run.
    test.fake.enqueue({ text: 'Never delivered.', firstTokenDelayMs: 10_000 });
    const run3 = await call('session/runs/start', { sessionId, source: { type: 'context', keys: ['note'] } });
    await awaitRunStatus(sessionId, run3.run.id, 'running');
    const cancelled = await call('session/runs/cancel', { sessionId, runId: run3.run.id });
    expect(['cancelling', 'cancelled']).toContain(cancelled.run.status);
    expect((await awaitRunEnd(sessionId, run3.run.id)).terminal).toBe('runCancelled');
    await callFails('session/runs/cancel', { sessionId, runId: run3.run.id }, 'rejected');

    // Compaction answers once the new context revision is committed.
    const before = (await call('session/read', { sessionId })).session.activeContext.revision;
    const compacted = await call('session/context/compact', { sessionId });
    expect(compacted.session.activeContext.revision).toBeGreaterThan(before);

    // The whole log pages with a cursor and every event is contract-valid (checked in call()).
    let cursor = 0;
    let total = 0;
    for (;;) {
      const page = await call('session/events/read', { sessionId, after: { seq: cursor }, limit: 7 });
      total += page.events.length;
      cursor = page.nextCursor.seq;
      if (page.complete) break;
    }
    expect(total).toBeGreaterThan(20);

    // Errors carry contract kinds.
    await callFails('session/read', { sessionId: 'no-such-session' }, 'not_found');
    await callFails('session/delete', { sessionId }, 'rejected');

    // Close, delete, clean up.
    expect((await call('session/close', { sessionId })).session.status).toBe('closed');
    expect((await call('session/delete', { sessionId })).session.lifecycleStatus).toBe('closed');
    await callFails('session/read', { sessionId }, 'not_found');
    expect((await call('vfs/workspaces/delete', { workspaceId: 'ws-conf' })).workspace.workspaceId).toBe('ws-conf');
    await callFails('vfs/workspaces/read', { workspaceId: 'ws-conf' }, 'not_found');

    // Session skills: a snapshot with one SKILL.md, skills granted.
    const [skillBlob] = (await call('blobs/put', { blobs: [{ bytesBase64: b64('---\nname: notes\ndescription: Take notes.\n---\nWrite notes.\n') }] })).blobs;
    const skillTree = { schema_version: 'lightspeed.vfs.snapshot.v1', root: { entries: { skills: { kind: 'directory', entries: { notes: { kind: 'directory', entries: { 'SKILL.md': { kind: 'file', blob_ref: skillBlob.blobRef, size_bytes: skillBlob.bytes, executable: false } } } } } } }, totals: { files: 1, bytes: skillBlob.bytes } };
    const skillSnapshot = await call('vfs/snapshots/commit', { manifest: skillTree });
    const skillVfs = { tools: 'readOnly', skills: {}, workspaceLinks: [{ path: '/w', target: { type: 'snapshot', snapshotRef: skillSnapshot.snapshotRef }, access: 'readOnly' }] };
    await call('session/start', { sessionId: 'conf-skills', config: { model, features: { vfs: skillVfs } } });
    expect((await call('session/skills/list', { sessionId: 'conf-skills' })).skills).toEqual([{ skillId: '/w/skills/notes', name: 'notes', description: 'Take notes.', enabled: true, active: false }]);
    expect((await call('session/skills/activate', { sessionId: 'conf-skills', skillId: '/w/skills/notes', scope: 'session' })).activation.skillId).toBe('/w/skills/notes');
    expect((await call('session/skills/active', { sessionId: 'conf-skills' })).activations).toHaveLength(1);
    expect(await call('session/skills/deactivate', { sessionId: 'conf-skills', skillId: '/w/skills/notes' })).toEqual({ skillId: '/w/skills/notes', active: [] });
    await callFails('session/skills/activate', { sessionId: 'conf-skills', skillId: '/w/skills/none', scope: 'session' }, 'not_found');

    // MCP server records (contract shapes only: no stdio or env var extensions here).
    const mcpServer = { serverId: 'docs', serverUrl: 'https://mcp.example/mcp', defaultServerLabel: 'docs', transport: 'streamableHttp' };
    expect((await call('mcp/servers/put', { server: mcpServer })).server).toMatchObject({ ...mcpServer, revision: 1, status: 'active' });
    expect((await call('mcp/servers/put', { server: { ...mcpServer, displayName: 'Docs' }, expectedRevision: 1 })).server.revision).toBe(2);
    await callFails('mcp/servers/put', { server: mcpServer, expectedRevision: 1 }, 'conflict');
    expect((await call('mcp/servers/read', { serverId: 'docs' })).server.displayName).toBe('Docs');
    expect((await call('mcp/servers/list', {})).servers.map((s: any) => s.serverId)).toEqual(['docs']);
    expect((await call('mcp/servers/delete', { serverId: 'docs' })).server.serverId).toBe('docs');
    await callFails('mcp/servers/read', { serverId: 'docs' }, 'not_found');

    // Environments: local sandboxes (environment-methods.test.ts covers them in depth).
    const envWs = await call('vfs/workspaces/create', { snapshotRef: smaller.snapshotRef });
    const envParams = { requestId: 'conf-env', bindingId: 'local', templateId: 'local', workspaceId: envWs.workspace.workspaceId, credentials: ['CONF_TOKEN'] };
    expect((await call('environments/create', envParams)).environment).toMatchObject({ environmentId: 'conf-env', status: 'ready' });
    expect((await call('environments/read', { environmentId: 'conf-env' })).environment.environmentId).toBe('conf-env');
    expect((await call('environments/list', {})).environments.map((e: any) => e.environmentId)).toEqual(['conf-env']);
    expect((await call('environments/credentials/list', { environmentId: 'conf-env' })).credentials.map((c: any) => c.envName)).toEqual(['CONF_TOKEN']);
    const jobs = await call('environments/jobs/create', { environmentId: 'conf-env', requestId: 'conf-job', jobs: [{ argv: ['sh', '-c', 'echo done > out.txt; echo $CONF_TOKEN'] }] });
    const handle = jobs.jobs[0].handle;
    let jobEntry: any;
    for (let i = 0; i < 200; i++) {
      [jobEntry] = (await call('environments/jobs/read', { jobs: [handle], includeArtifacts: true })).jobs;
      if (jobEntry.summary.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(jobEntry.summary.status).toBe('succeeded');
    expect(jobEntry.artifacts.map((a: any) => a.path)).toEqual(['/out.txt']);
    expect((await call('environments/jobs/cancel', { jobs: [handle] })).jobs[0].summary.status).toBe('succeeded');
    // Served, and refused by design with the reason (a local environment's credentials are its spec; sessions select no environment).
    for (const [method, params] of [
      ['environments/credentials/bind', { environmentId: 'conf-env', envName: 'X', source: { type: 'directSecret', secretId: 'x' } }],
      ['environments/credentials/unbind', { environmentId: 'conf-env', envName: 'CONF_TOKEN' }],
      ['session/environments/activate', { sessionId: 'conf-skills', environmentId: 'conf-env' }],
      ['session/environments/deactivate', { sessionId: 'conf-skills' }],
    ] as const) {
      expect(contract.check(contract.paramsRef(method), params), `${method} params`).toEqual([]);
      await callFails(method, params, 'rejected');
      covered.add(method);
    }
    expect((await call('environments/close', { environmentId: 'conf-env' })).environment.status).toBe('closed');

    // Extensions are not in the v1 contract; wait-methods.test.ts covers them.
    const all = Object.keys(methodSpecs).filter((method) => !EXTENSION_METHODS.has(method));
    for (const method of all) expect(contract.hasMethod(method), `${method} is a contract method`).toBe(true);
    expect([...covered].sort()).toEqual([...all].sort());
  });
});
