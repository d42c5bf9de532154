import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDelivery } from '@lightspeed/memory';
import { cleanEnv, runCli, startServe, tempDir } from './support/cli-harness.js';

describe('lightspeed memory sources and events against lightspeed serve', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let server: { url: string; stop(): Promise<unknown> };
  const cli = (args: string[]) => runCli([...args, '--api-url', server.url], { env });

  beforeAll(async () => {
    home = await tempDir('ls-cli-memory-');
    env = cleanEnv(home.path, { LIGHTSPEED_MEMORY_KEY: 'ab'.repeat(32), GH_SECRET: 'a-github-webhook-secret' });
    server = await startServe(['--provider', 'fake'], env);
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('connects a GitHub source, takes a signed delivery, lists and shows the event; the secret is never printed back', async () => {
    const put = await cli(['memory', 'sources', 'put', 'gh', '--provider', 'github', '--secret-env', 'GH_SECRET', '--name', 'octo']);
    expect(put.code, put.stderr).toBe(0);
    const path = /POST (\/webhooks\/github\/mw_\S+)/.exec(put.stdout)![1]!;
    const body = Buffer.from(JSON.stringify({ action: 'published', release: { id: 9, tag_name: 'v1.2.0', name: 'Security fixes', published_at: '2026-06-01T00:00:00Z' }, repository: { full_name: 'octo/app' } }));
    const headers = { 'content-type': 'application/json', ...(await signDelivery('github', env.GH_SECRET!, body, { eventType: 'release', deliveryId: 'r-1' })) };
    expect((await fetch(`${server.url}${path}`, { method: 'POST', headers, body })).status).toBe(202);
    expect((await fetch(`${server.url}${path}`, { method: 'POST', headers, body })).status).toBe(200);
    const listed = await cli(['memory', 'events', 'list', '--min-significance', '50']);
    expect(listed.code, listed.stderr).toBe(0);
    const line = listed.stdout.split('\n').filter(Boolean);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^mev_\S+\t2026-06-01T00:00:00.000Z\t 75\tgithub\/release.published\tRelease v1.2.0 published: Security fixes$/);
    const shown = await cli(['memory', 'events', 'show', line[0]!.split('\t')[0]!]);
    expect(shown.stdout).toMatch(/^primary\trelease github:octo\/app\/releases\/v1.2.0$/m);
    expect(shown.stdout).toMatch(/^significance\t75 = type:release \+50, signal:security \+25$/m);
    // The release and its repository are entities, joined by a belongs_to edge whose evidence is the event.
    const entities = await cli(['memory', 'entity', 'list', '--type', 'release']);
    expect(entities.stdout).toMatch(/^release\tgithub:octo\/app\/releases\/v1.2.0\t1 events\t2026-06-01T00:00:00.000Z\.\.2026-06-01T00:00:00.000Z\tRelease v1.2.0 published: Security fixes$/m);
    expect((await cli(['memory', 'entity', 'show', 'repository', 'github:octo/app'])).stdout).toMatch(/^repository\tgithub:octo\/app\t1 events/);
    const graph = await cli(['memory', 'graph', 'release', 'github:octo/app/releases/v1.2.0', '--edge-type', 'belongs_to']);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.stdout).toContain(`release github:octo/app/releases/v1.2.0\t-belongs_to->\trepository github:octo/app\t1 events, confidence 1\t${line[0]!.split('\t')[0]!}`);
    expect((await cli(['memory', 'graph', 'release', 'x', '--depth', '4'])).stderr).toMatch(/--depth must be 1, 2 or 3/);
    const sources = await cli(['memory', 'sources', 'list']);
    expect(sources.stdout).toMatch(/^gh\tgithub\tPOST \/webhooks\/github\/mw_\S+\tall types\tsecret sealed\tocto$/m);
    for (const output of [put, listed, shown, sources]) expect(output.stdout + output.stderr).not.toContain(env.GH_SECRET);
    expect((await cli(['memory', 'sources', 'delete', 'gh'])).code).toBe(0);
    expect((await cli(['memory', 'sources', 'put', 'x', '--provider', 'gitlab'])).stderr).toMatch(/--provider must be one of/);
  });

  it('memory search prints the first test\'s release with where each path ranked it; --provider fake indexes with the fake embedder', async () => {
    // `serve --provider fake` embeds with the fake provider's vectors: wait for the background indexer.
    let status = await cli(['memory', 'index', 'status']);
    for (let i = 0; i < 100 && !status.stdout.includes('pending\t0'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await cli(['memory', 'index', 'status']);
    }
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toBe('model\tfake:64 (64 dimensions)\nembedded\t1 of 1\npending\t0\n');
    const found = await cli(['memory', 'search', 'security fixes', '--provider', 'github', '--min-significance', '50']);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(/^mev_\S+\t2026-06-01T00:00:00.000Z\t 75\tgithub\/release.published\tRelease v1.2.0 published: Security fixes\n {2}rrf 0\.0328 · lexical #1 \(\d\.\d{3}\) · vector #1 \(\d\.\d{3}\)\n$/);
    expect(found.stderr).toMatch(/^vector: hnsw \(pgvector, cosine\) over fake:64 vectors$/m);
    expect(found.stderr).toMatch(/^latency ms: .*total \d/m);
    expect((await cli(['memory', 'search', 'security fixes', '--provider', 'linear'])).stderr).toMatch(/^no hits$/m);
    expect((await cli(['memory', 'search', 'x', '--after', 'yesterday'])).stderr).toMatch(/--after must be an ISO time/);
    const json = JSON.parse((await cli(['memory', 'search', 'v1.2.0 security', '--json', '--limit', '1'])).stdout) as { hits: unknown[]; explanation: Record<string, string> };
    expect(json.hits).toHaveLength(1);
    expect(json.explanation.lexical).toMatch(/tsvector/);
  });

  it('--person maps one person across tools on a source; the login then reads that person', async () => {
    expect((await cli(['memory', 'sources', 'put', 'p', '--provider', 'github', '--secret-env', 'GH_SECRET', '--person', 'x'])).stderr).toMatch(/--person takes kind=value pairs/);
    const lonely = await cli(['memory', 'sources', 'put', 'p', '--provider', 'github', '--secret-env', 'GH_SECRET', '--person', 'github=octocat']);
    expect(lonely.code).not.toBe(0);
    expect(lonely.stderr).toMatch(/people\[0\]: a mapping links at least two identities/);
    const put = await cli(['memory', 'sources', 'put', 'p', '--provider', 'github', '--secret-env', 'GH_SECRET', '--person', 'github=octocat,linear=lin-ana,email=ana@example.com', '--person', 'github=bo,sentry=77']);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(/\tsecret sealed\t2 people mappings$/m);
    const shown = JSON.parse((await cli(['memory', 'sources', 'show', 'p', '--json'])).stdout);
    expect(shown.source.people).toEqual([{ github: 'octocat', linear: 'lin-ana', email: 'ana@example.com' }, { github: 'bo', sentry: '77' }]);
    const path = /POST (\/webhooks\/github\/mw_\S+)/.exec(put.stdout)![1]!;
    const body = Buffer.from(JSON.stringify({ action: 'opened', issue: { number: 4, title: 'Mapped', user: { login: 'bo' }, updated_at: '2026-06-01T00:00:00Z' }, repository: { full_name: 'octo/people' } }));
    const headers = { 'content-type': 'application/json', ...(await signDelivery('github', env.GH_SECRET!, body, { eventType: 'issues', deliveryId: 'p-1' })) };
    expect((await fetch(`${server.url}${path}`, { method: 'POST', headers, body })).status).toBe(202);
    // No email in the mapping: the first identity (the login) is the key, the Sentry user its alias.
    expect((await cli(['memory', 'entity', 'show', 'person', 'sentry:user:77'])).stdout).toMatch(/^person\tgithub:bo\t1 events/);
  });

  it('memory import ingests recorded deliveries once: verified unless --trusted, a re-run changes nothing', async () => {
    expect((await cli(['memory', 'sources', 'put', 'imp', '--provider', 'github', '--secret-env', 'GH_SECRET'])).code).toBe(0);
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = JSON.stringify({ action: 'opened', issue: { number: i + 1, title: `Issue ${i + 1}`, updated_at: '2026-06-01T00:00:00Z' }, repository: { full_name: 'octo/imp' } });
      lines.push(JSON.stringify({ provider: 'github', headers: await signDelivery('github', env.GH_SECRET!, Buffer.from(body), { eventType: 'issues', deliveryId: `i-${i}` }), body }));
    }
    lines.push(JSON.stringify({ provider: 'github', headers: { 'X-GitHub-Event': 'issues', 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, body: '{"action":"opened"}' }));
    lines.push(JSON.stringify({ provider: 'linear', headers: {}, body: '{}' }));
    const file = join(home.path, 'deliveries.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const first = await cli(['memory', 'import', file, '--source', 'imp']);
    expect(first.stdout).toBe('5 new, 0 already known, 0 ignored, 2 rejected\n');
    expect(first.stderr).toMatch(/imported 7\/7/);
    expect(first.stderr).toMatch(/line 6: 401 delivery not verified: bad_signature/);
    expect(first.stderr).toMatch(/line 7: 400 provider linear is not this source's \(github\)/);
    expect(first.code).toBe(1);
    const again = await cli(['memory', 'import', file, '--source', 'imp', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, deduped: 5 });
    // --trusted skips the signature, so the sixth line (forged, but an archive the operator trusts) is taken.
    const trusted = await cli(['memory', 'import', file, '--source', 'imp', '--trusted', '--json']);
    expect(JSON.parse(trusted.stdout)).toMatchObject({ accepted: 1, deduped: 5 });
    const listed = await cli(['memory', 'events', 'list', '--source', 'imp', '--json']);
    const events = JSON.parse(listed.stdout).events as { eventId: string; primary?: { type: string; key: string } }[];
    expect(events).toHaveLength(6);
    // --entity type:key: the events about one entity (the key keeps its own colons).
    const about = events.find((e) => e.primary)!.primary!;
    const expected = events.filter((e) => e.primary?.type === about.type && e.primary.key === about.key).map((e) => e.eventId);
    const own = await cli(['memory', 'events', 'list', '--entity', `${about.type}:${about.key}`, '--json']);
    const ownIds = (JSON.parse(own.stdout).events as { eventId: string }[]).map((e) => e.eventId);
    expect(ownIds).toEqual(expect.arrayContaining(expected));
    expect((await cli(['memory', 'events', 'list', '--entity', 'nocolon'])).stderr).toMatch(/--entity must be type:key/);
  });
});
