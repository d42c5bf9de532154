import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { startBearerMcpServer, type BearerMcpServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, REPO_ROOT, runCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';

const require = createRequire(import.meta.url);
const everythingBin = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
const TOKEN = 'tok-config-3b8e-never-shown';

async function rpc(url: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return response.json();
}

/** A server config that prices the fake model at $1 per input token and $2 per output token (easy sums). */
function configText(options: { adderUrl: string; hostTools: boolean }): string {
  return `# the server config of this test
mcpServers:
  everything:
    transport: stdio
    stdio:
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(everythingBin)}, stdio]
    allowedTools: [echo]
  adder:
    transport: streamableHttp
    serverUrl: ${options.adderUrl}
    authPolicy: { type: requiredBearer }
    bearerTokenEnvVar: ADDER_TOKEN
allowHostTools: ${options.hostTools}
prices:
  fake/fake-model: { inputPerMTok: 1000000, outputPerMTok: 2000000 }
`;
}

describe('lightspeed config validate', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    home = await tempDir('ls-cli-config-');
    env = cleanEnv(home.path);
  });
  afterAll(() => home.remove());

  it('prints OK and a summary of a valid file (env var names, never values), exit 0', async () => {
    const file = join(home.path, 'good.yaml');
    await writeFile(file, configText({ adderUrl: 'https://mcp.example/mcp', hostTools: true }) + 'defaultModel: { provider: openai, model: gpt-5-mini }\nproviders:\n  openai: { apiKeyEnv: WORK_OPENAI_KEY }\n  anthropic: { enabled: false }\n');
    const run = await runCli(['config', 'validate', '--config', file], { env: { ...env, ADDER_TOKEN: TOKEN } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      `OK ${file}`,
      '  default model: openai/gpt-5-mini',
      '  provider openai: key from $WORK_OPENAI_KEY',
      '  provider anthropic: disabled',
      `  MCP server everything: stdio ${process.execPath}`,
      '  MCP server adder: streamableHttp https://mcp.example/mcp (credentials from $ADDER_TOKEN)',
      '  host tools: allowed (single-user servers only)',
      '  price overrides: fake/fake-model',
      '',
    ]);
    expect(run.stdout).not.toContain(TOKEN);
  });

  it('the sample shipped in examples/ is valid', async () => {
    const file = join(REPO_ROOT, 'examples', 'server-config', 'server.yaml');
    const run = await runCli(['config', 'validate', '--config', file], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('MCP server docs: streamableHttp https://mcp.example.com/mcp (credentials from $DOCS_MCP_TOKEN)');
  });

  it('finds .lightspeed/server.yaml of the project without --config, and LIGHTSPEED_CONFIG names another', async () => {
    const project = join(home.path, 'project');
    await mkdir(join(project, '.lightspeed'), { recursive: true });
    await writeFile(join(project, '.lightspeed', 'server.yaml'), 'allowHostTools: false\n');
    const found = await runCli(['config', 'validate'], { env, cwd: project });
    expect(found.stdout).toBe(`OK ${join(project, '.lightspeed', 'server.yaml')}\n  host tools: not allowed\n`);
    const other = join(home.path, 'other.json');
    // JSON is YAML: a JSON file validates the same way.
    await writeFile(other, '{"allowHostTools": true}\n');
    const named = await runCli(['config', 'validate'], { env: { ...env, LIGHTSPEED_CONFIG: other }, cwd: project });
    expect(named.stdout).toBe(`OK ${other}\n  host tools: allowed (single-user servers only)\n`);
    const none = await runCli(['config', 'validate'], { env, cwd: home.path });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no server config file: .lightspeed/server.yaml does not exist here');
  });

  it('reports every problem as file:line:column: field: message, unknown fields by name, and exits 1', async () => {
    const file = join(home.path, 'bad.yaml');
    await writeFile(
      file,
      [
        'providers:', // 1
        '  anthropic:', // 2
        '    baseUrl: not a url', // 3
        'mcpServers:', // 4
        '  docs:', // 5
        '    transport: streamableHttp', // 6
        '    serverUrl: https://mcp.example/mcp', // 7
        '    headers:', // 8
        '      Authorization: Bearer abc', // 9
        '  local:', // 10
        '    transport: stdio', // 11
        '    stdio: { command: node, argz: [x] }', // 12
        'allowHostTool: true', // 13
        'prices:', // 14
        '  gpt-5: { inputPerMTok: -1, outputPerMTok: 2 }', // 15
        '',
      ].join('\n'),
    );
    const run = await runCli(['config', 'validate', '--config', file], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `${file}:3:5: providers.anthropic.baseUrl: Invalid URL`,
      `${file}:9:7: mcpServers.docs.headers.Authorization: credentials are never stored; name the env var that holds it with headersFromEnv (or bearerTokenEnvVar)`,
      `${file}:12:29: mcpServers.local.stdio.argz: unknown field; see docs/server-config.md for the fields a server config file may have`,
      `${file}:13:1: allowHostTool: unknown field; see docs/server-config.md for the fields a server config file may have`,
      `${file}:15:3: prices.gpt-5: a price key is providerId/model, e.g. openai/gpt-5-mini`,
      `${file}:15:12: prices.gpt-5.inputPerMTok: Too small: expected number to be >=0`,
      `${file}: 6 problems`,
      '',
    ]);
  });

  it('checks providers as serve builds them: a new provider needs its apiKind; YAML syntax errors have their line', async () => {
    const file = join(home.path, 'providers.yaml');
    await writeFile(file, 'providers:\n  openai: { baseUrl: "https://proxy.example/v1" }\n  local:\n    baseUrl: http://127.0.0.1:8000/v1\n');
    const run = await runCli(['config', 'validate', '--config', file], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:3:3: providers.local: provider "local" is not a built-in or providers.json provider: give its apiKind`);
    // A repeated key is a syntax error too (the second would silently win otherwise).
    await writeFile(file, 'allowHostTools: true\nallowHostTools: false\n');
    const syntax = await runCli(['config', 'validate', '--config', file], { env });
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toBe(`${file}:2:1: invalid YAML: Map keys must be unique\n${file}: 1 problem\n`);
  });

  it('a bad file stops chat before anything starts, with the same lines', async () => {
    const file = join(home.path, 'stops.yaml');
    await writeFile(file, 'allowHostTools: yes please\n');
    const run = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--config', file, 'hello'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`invalid server config:\n  ${file}:1:1: allowHostTools: Invalid input: expected boolean, received string\n`);
  });
});

describe('lightspeed serve --config', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let adder: BearerMcpServer;
  let server: { url: string; stop(): Promise<CliRun> };
  const outputs: string[] = [];

  beforeAll(async () => {
    home = await tempDir('ls-cli-config-serve-');
    adder = await startBearerMcpServer(TOKEN);
    env = cleanEnv(home.path, { ADDER_TOKEN: TOKEN });
    const file = join(home.path, 'server.yaml');
    await writeFile(file, configText({ adderUrl: adder.url, hostTools: true }));
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data'), '--config', file], env);
  }, 90_000);
  afterAll(async () => {
    const stopped = await server?.stop();
    expect(stopped?.code).toBe(0);
    // Nothing the server printed, from start to stop, holds the token.
    expect(stopped?.stderr).toContain('config ');
    expect(`${stopped?.stdout}${stopped?.stderr}${outputs.join('')}`).not.toContain(TOKEN);
    await adder?.close();
    await home.remove();
  });

  it('serves the file\'s MCP servers read-only: listed, linked by sessions, not replaceable or deletable through the API', async () => {
    const list = await runCli(['mcp', 'servers', 'list', '--api-url', server.url], { env });
    outputs.push(list.stdout, list.stderr);
    expect(list.stdout.split('\n').map((line) => line.split('\t').slice(0, 3).join(' '))).toEqual(['adder streamableHttp active', 'everything stdio active', '']);
    const put = await rpc(server.url, 'mcp/servers/put', { server: { serverId: 'adder', transport: 'streamableHttp', serverUrl: 'https://elsewhere.example/mcp' } });
    expect(put.error).toMatchObject({ data: { kind: 'rejected' } });
    expect(put.error.message).toMatch(/^MCP server adder is defined in the server config file .*server\.yaml; change it there and restart the server/);
    const deleted = await rpc(server.url, 'mcp/servers/delete', { serverId: 'everything' });
    expect(deleted.error).toMatchObject({ data: { kind: 'rejected' } });
    // Other ids are stored as before, beside the file's.
    const own = await rpc(server.url, 'mcp/servers/put', { server: { serverId: 'mine', transport: 'streamableHttp', serverUrl: 'https://mine.example/mcp' } });
    expect(own.result.result.server).toMatchObject({ serverId: 'mine', revision: 1 });
  });

  it('a session reaches the stdio server and the HTTP server with the bearer token from the env var; the cost uses the file\'s prices', async () => {
    const stdio = await runCli(['chat', '--api-url', server.url, '--mcp', 'everything', '--json', 'use mcp__everything__echo {"message":"from the config"}'], { env });
    outputs.push(stdio.stdout, stdio.stderr);
    expect(stdio.code).toBe(0);
    const stdioResult = JSON.parse(stdio.stdout.trim().split('\n').at(-1)!);
    expect(stdioResult.tools).toEqual([expect.objectContaining({ name: 'mcp__everything__echo', status: 'succeeded' })]);
    expect(stdioResult.tools[0].output).toContain('Echo: from the config');

    const http = await runCli(['chat', '--api-url', server.url, '--mcp', 'adder', '--json', 'use mcp__adder__add {"a":2,"b":40}'], { env });
    outputs.push(http.stdout, http.stderr);
    expect(http.code).toBe(0);
    const result = JSON.parse(http.stdout.trim().split('\n').at(-1)!);
    expect(result.tools).toEqual([expect.objectContaining({ name: 'mcp__adder__add', status: 'succeeded' })]);
    expect(result.tools[0].output).toContain('sum=42');
    expect(adder.authorizations.length).toBeGreaterThan(0);
    expect(adder.authorizations.every((value) => value === `Bearer ${TOKEN}`)).toBe(true);
    // $1 per input token and $2 per output token: the cost is exactly the token sums.
    const { usage } = result;
    expect(usage.costUsd).toBeCloseTo(usage.inputTokens + usage.cachedInputTokens + usage.cacheWriteTokens + 2 * usage.outputTokens, 6);

    const session = await rpc(server.url, 'session/read', { sessionId: result.sessionId });
    const events = await rpc(server.url, 'session/events/read', { sessionId: result.sessionId, limit: 1000 });
    const views = await rpc(server.url, 'mcp/servers/list', {});
    outputs.push(JSON.stringify([session, events, views]));
  }, 60_000);

  it('allows host tools as --allow-host-tools does', async () => {
    const root = join(home.path, 'host-root');
    await mkdir(root);
    const started = await rpc(server.url, 'session/start', { config: { features: { host: { root } } } });
    expect(started.error).toBeUndefined();
    expect(started.result.result.session.activeTools.tools.length).toBeGreaterThan(0);
  });
});

describe('the server config on other paths', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    home = await tempDir('ls-cli-config-paths-');
    env = cleanEnv(home.path);
  });
  afterAll(() => home.remove());

  it('host tools stay refused without the setting, and allowHostTools with API keys stops serve', async () => {
    const file = join(home.path, 'no-host.yaml');
    await writeFile(file, 'allowHostTools: false\n');
    const server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--config', file], env);
    try {
      const started = await rpc(server.url, 'session/start', { config: { features: { host: { root: home.path } } } });
      expect(started.error.message).toMatch(/features\.host is disabled/);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
    const keys = join(home.path, 'keys.json');
    expect((await runCli(['keys', 'create', '--universe', 'team', '--name', 'k', '--api-keys', keys], { env })).code).toBe(0);
    const hostFile = join(home.path, 'host.yaml');
    await writeFile(hostFile, 'allowHostTools: true\n');
    const refused = await runCli(['serve', '--port', '0', '--provider', 'fake', '--data-dir', ':memory:', '--api-keys', keys, '--config', hostFile], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${hostFile}: allowHostTools: true cannot be combined with API keys`);
  }, 60_000);

  it('embedded chat uses the file: its prices give a known cost where the shipped table has none', async () => {
    const file = join(home.path, 'prices.yaml');
    await writeFile(file, 'prices:\n  fake/fake-model: { inputPerMTok: 1000000, outputPerMTok: 2000000 }\n');
    const unpriced = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', 'hello'], { env });
    expect(unpriced.stderr).toMatch(/^usage: .* · cost unknown \(no prices for this model\)$/m);
    const priced = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--config', file, 'hello'], { env });
    expect(priced.code).toBe(0);
    expect(priced.stderr).toMatch(/^usage: .* · 1 call · \$\d+\.\d\d$/m);
  }, 60_000);

  describe('providers and the default model from the file', () => {
    let fake: FakeProvider;
    beforeAll(async () => {
      // It refuses requests without this key: a completed run proves the key came from the env var the file names.
      fake = await startFakeProvider({ port: 0, requireApiKey: 'local-key-value' });
    });
    afterAll(() => fake?.stop());

    it('a provider the file defines (base URL, key env var name) is the default model of new sessions', async () => {
      const file = join(home.path, 'providers.yaml');
      await writeFile(file, `defaultModel: { provider: local, model: local-echo }\nproviders:\n  local:\n    apiKind: openai:completions\n    baseUrl: ${fake.url}/v1\n    apiKeyEnv: LOCAL_LLM_KEY\n`);
      const missingKey = await runCli(['chat', '--data-dir', ':memory:', '--config', file, 'hello'], { env });
      expect(missingKey.code).toBe(2);
      expect(missingKey.stderr).toContain('provider "local" has no API key');
      const run = await runCli(['chat', '--data-dir', ':memory:', '--config', file, '--json', 'hello'], { env: { ...env, LOCAL_LLM_KEY: 'local-key-value' } });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(result.status).toBe('completed');
      expect(result.answer).toContain('[fake model: scripted echo, not a real LLM]');
      expect(fake.requests.length).toBeGreaterThan(0);
    }, 60_000);

    it('enabled: false turns a built-in off even with its key set', async () => {
      const file = join(home.path, 'off.yaml');
      await writeFile(file, 'providers:\n  openai: { enabled: false }\n');
      const run = await runCli(['chat', '--data-dir', ':memory:', '--config', file, 'hello'], { env: { ...env, OPENAI_API_KEY: 'sk-unused' } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('no LLM provider is configured');
      const named = await runCli(['chat', '--provider', 'openai', '--data-dir', ':memory:', '--config', file, 'hello'], { env: { ...env, OPENAI_API_KEY: 'sk-unused' } });
      expect(named.code).toBe(2);
      expect(named.stderr).toContain('provider "openai" is disabled by the server config file');
    });
  });
});
