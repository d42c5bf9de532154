import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { registerMcpServe } from './mcp-serve-command.js';

interface PutFlags {
  url?: string;
  header: string[];
  headerFromEnv: string[];
  bearerTokenEnv?: string;
  env: string[];
  envFromEnv: string[];
  cwd?: string;
  allowTool: string[];
  displayName?: string;
  description?: string;
  disabled?: boolean;
  expectedRevision?: string;
  json?: boolean;
  apiUrl?: string;
  apiKey?: string;
  dataDir?: string;
  engine?: string;
}

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

const collect = (value: string, previous: string[]) => [...previous, value];

/** `NAME=VALUE` pairs of a repeatable flag as a map. */
function pairs(flag: string, values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw usageError(`${flag} takes NAME=VALUE, got "${value}"`);
    map[value.slice(0, at)] = value.slice(at + 1);
  }
  return map;
}

function serverLine(server: any): string {
  const where = server.transport === 'stdio' ? [server.stdio?.command, ...(server.stdio?.args ?? [])].join(' ') : server.serverUrl;
  return `${server.serverId}\t${server.transport}\t${server.status}\trev ${server.revision}\t${where}`;
}

/** The McpServerInput a `put` sends: HTTP with --url, else stdio with the command after `--`. */
export function serverInput(serverId: string, command: readonly string[], flags: PutFlags): Record<string, unknown> {
  const common = {
    serverId,
    ...(flags.displayName ? { displayName: flags.displayName } : {}),
    ...(flags.description ? { description: flags.description } : {}),
    ...(flags.allowTool.length > 0 ? { allowedTools: flags.allowTool } : {}),
    ...(flags.disabled ? { status: 'disabled' } : {}),
  };
  if (flags.url) {
    if (command.length > 0 || flags.env.length > 0 || flags.envFromEnv.length > 0 || flags.cwd) throw usageError('--url registers an HTTP server: drop the command and --env/--env-from-env/--cwd');
    const headers = pairs('--header', flags.header);
    const headersFromEnv = pairs('--header-from-env', flags.headerFromEnv);
    return {
      ...common,
      transport: 'streamableHttp',
      serverUrl: flags.url,
      ...(headers ? { headers } : {}),
      ...(headersFromEnv ? { headersFromEnv } : {}),
      ...(flags.bearerTokenEnv ? { bearerTokenEnvVar: flags.bearerTokenEnv, authPolicy: { type: 'requiredBearer' } } : {}),
    };
  }
  if (command.length === 0) throw usageError('give the server: --url URL (streamable HTTP), or the command after `--` (stdio), e.g. `lightspeed mcp servers put files -- npx @modelcontextprotocol/server-filesystem /tmp`');
  if (flags.header.length > 0 || flags.headerFromEnv.length > 0 || flags.bearerTokenEnv) throw usageError('--header, --header-from-env and --bearer-token-env are for HTTP servers (--url)');
  const env = pairs('--env', flags.env);
  const envFromEnv = pairs('--env-from-env', flags.envFromEnv);
  return {
    ...common,
    transport: 'stdio',
    stdio: { command: command[0], args: command.slice(1), ...(env ? { env } : {}), ...(envFromEnv ? { envFromEnv } : {}), ...(flags.cwd ? { cwd: flags.cwd } : {}) },
  };
}

export function registerMcp(program: Command, ctx: CommandContext): void {
  const mcp = program.command('mcp').description('Lightspeed as an MCP server over stdio (`lightspeed mcp`), and the MCP servers sessions can link (`lightspeed mcp servers`)');
  registerMcpServe(mcp, ctx);
  const servers = mcp.command('servers').description('MCP server registrations of the universe');
  withServerOptions(
    servers
      .command('put')
      .description('register or replace an MCP server: stdio (`put ID -- COMMAND ARGS…`) or streamable HTTP (`put ID --url URL`)')
      .argument('<serverId>')
      .argument('[command...]', 'stdio: the command and its arguments (after `--`)')
      .option('--url <url>', 'streamable HTTP endpoint')
      .option('--header <name=value>', 'HTTP header sent as is (not for secrets); repeatable', collect, [])
      .option('--header-from-env <name=VAR>', 'HTTP header whose value the server reads from its env var VAR; repeatable', collect, [])
      .option('--bearer-token-env <VAR>', 'send `Authorization: Bearer $VAR` (the token stays in the server\'s environment)')
      .option('--env <name=value>', 'stdio: child env var (stored as given, not for secrets); repeatable', collect, [])
      .option('--env-from-env <name=VAR>', 'stdio: child env var copied from the server\'s env var VAR; repeatable', collect, [])
      .option('--cwd <dir>', 'stdio: working directory of the child')
      .option('--allow-tool <name>', 'only these tools of the server; repeatable', collect, [])
      .option('--display-name <name>')
      .option('--description <text>')
      .option('--disabled', 'register it disabled (sessions linking it get none of its tools)')
      .option('--expected-revision <n>', 'replace only if the record is at this revision')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (serverId: string, command: string[], flags: PutFlags) => {
    const server = serverInput(serverId, command, flags);
    let expectedRevision: number | undefined;
    if (flags.expectedRevision !== undefined) {
      expectedRevision = Number(flags.expectedRevision);
      if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0) throw usageError('--expected-revision must be a whole number');
    }
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ server: any }>('mcp/servers/put', { server, ...(expectedRevision !== undefined ? { expectedRevision } : {}) });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${serverLine(result.server)}\n`);
      if (result.server.status === 'needsAuthConfig') ctx.io.stderr.write(`note: an env var ${serverId} reads is not set on the server; its tools fail until it is\n`);
    });
  });
  withServerOptions(servers.command('list').description('list registered MCP servers').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ servers: any[] }>('mcp/servers/list', {});
      if (flags.json) return writeJson(ctx, result);
      if (result.servers.length === 0) ctx.io.stderr.write('no MCP servers registered; add one with `lightspeed mcp servers put`\n');
      for (const server of result.servers) ctx.io.stdout.write(`${serverLine(server)}\n`);
    });
  });
  for (const [name, method, description] of [
    ['show', 'mcp/servers/read', 'show one registration'],
    ['delete', 'mcp/servers/delete', 'remove a registration (sessions linking it lose its tools)'],
  ] as const) {
    withServerOptions(servers.command(name).description(description).argument('<serverId>').option('--json', 'print the JSON-RPC result')).action(async (serverId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ server: any }>(method, { serverId });
        if (flags.json || name === 'show') return writeJson(ctx, name === 'show' && !flags.json ? result.server : result);
        ctx.io.stdout.write(`deleted ${serverLine(result.server)}\n`);
      });
    });
  }
}
