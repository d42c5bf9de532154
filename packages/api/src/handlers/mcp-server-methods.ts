import type { McpServerCatalog, McpServerDocument, McpServerRecord } from '@lightspeed/ports';
import { invalidRequest, notFound, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { McpServerInput, McpServerView } from '../schemas/mcp-servers.js';

/** Where the gateway keeps MCP server registrations and how far it trusts the callers. */
export interface McpServerRegistryOptions {
  catalog: McpServerCatalog;
  /**
   * Whether callers may register stdio servers (a command this server runs) and name env vars of
   * this server as credentials. Only single-user servers: a tenant of a multi-user server could
   * otherwise run commands here or send this server's secrets to a URL of its choice.
   */
  trusted?: boolean;
  /** The environment the tool runtime reads credentials from (for `needsAuthConfig`); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Literal headers that carry credentials: they must come from an env var, never the record. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** The stored document of a put, or a typed error naming the first field this server refuses. */
export function mcpServerDocument(input: McpServerInput, trusted: boolean): McpServerDocument {
  const field = (name: string) => `server.${name}`;
  if (input.transport === 'sse') throw invalidRequest(`${field('transport')}: "sse" is not supported by this server; use "streamableHttp" (or "auto")`);
  if (input.authPolicy.type === 'optionalOAuth' || input.authPolicy.type === 'requiredOAuth') {
    throw invalidRequest(`${field('authPolicy')}: OAuth is not supported yet; use {"type":"requiredBearer"} with bearerTokenEnvVar naming the env var that holds the token`);
  }
  if (input.credential != null) throw invalidRequest(`${field('credential')}: auth grants are not supported; name the env var holding the token with bearerTokenEnvVar`);
  if (input.approvalDefault === 'always') throw invalidRequest(`${field('approvalDefault')}: "always" is not supported yet (MCP tools run without an approval step); use "never"`);
  if (input.deferLoadingDefault === true) throw invalidRequest(`${field('deferLoadingDefault')}: deferred tool loading is not supported yet; omit it or pass false`);
  const envRefs = [
    ...(input.bearerTokenEnvVar ? ['bearerTokenEnvVar'] : []),
    ...(input.headersFromEnv && Object.keys(input.headersFromEnv).length > 0 ? ['headersFromEnv'] : []),
    ...(input.stdio?.envFromEnv && Object.keys(input.stdio.envFromEnv).length > 0 ? ['stdio.envFromEnv'] : []),
  ];
  if (!trusted && input.transport === 'stdio') throw rejected(`${field('transport')}: stdio servers run a command on this server; only a single-user server accepts them`);
  if (!trusted && envRefs.length > 0) throw rejected(`${field(envRefs[0]!)}: this multi-user server does not let callers read its environment variables; use a server without credentials or a single-user server`);

  const document: McpServerDocument = {
    serverId: input.serverId,
    defaultServerLabel: input.defaultServerLabel ?? input.serverId,
    transport: input.transport,
    approvalDefault: input.approvalDefault,
    authPolicy: { type: input.authPolicy.type },
    status: input.status,
    ...(input.displayName != null ? { displayName: input.displayName } : {}),
    ...(input.description != null ? { description: input.description } : {}),
    ...(input.allowedTools != null ? { allowedTools: input.allowedTools } : {}),
    ...(input.deferLoadingDefault != null ? { deferLoadingDefault: input.deferLoadingDefault } : {}),
    ...(input.callTimeoutMs != null ? { callTimeoutMs: input.callTimeoutMs } : {}),
    ...(input.connectTimeoutMs != null ? { connectTimeoutMs: input.connectTimeoutMs } : {}),
  };
  if (input.transport === 'stdio') {
    if (!input.stdio) throw invalidRequest(`${field('stdio')}: transport "stdio" needs stdio.command (and optionally args, env, envFromEnv, cwd)`);
    for (const name of ['serverUrl', 'headers', 'headersFromEnv', 'bearerTokenEnvVar'] as const) {
      if (input[name] != null) throw invalidRequest(`${field(name)}: only for HTTP transports; a stdio server gets its settings through stdio.args and stdio.env`);
    }
    const { command, args, env, envFromEnv, cwd } = input.stdio;
    document.stdio = { command, ...(args ? { args } : {}), ...(env ? { env } : {}), ...(envFromEnv ? { envFromEnv } : {}), ...(cwd ? { cwd } : {}) };
    return document;
  }
  if (input.stdio != null) throw invalidRequest(`${field('stdio')}: only with transport "stdio"`);
  if (!input.serverUrl) throw invalidRequest(`${field('serverUrl')}: required for transport "${input.transport}" (an http:// or https:// URL)`);
  let url: URL;
  try {
    url = new URL(input.serverUrl);
  } catch {
    throw invalidRequest(`${field('serverUrl')}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidRequest(`${field('serverUrl')}: must be an http:// or https:// URL`);
  if (url.username || url.password) throw invalidRequest(`${field('serverUrl')}: must not carry credentials; name the env var holding the token with bearerTokenEnvVar`);
  for (const header of Object.keys(input.headers ?? {})) {
    if (SECRET_HEADERS.has(header.toLowerCase())) throw invalidRequest(`${field(`headers.${header}`)}: credentials are never stored; name the env var that holds it with headersFromEnv (or bearerTokenEnvVar)`);
  }
  const bearerFromHeaders = Object.keys(input.headersFromEnv ?? {}).some((h) => h.toLowerCase() === 'authorization');
  if (input.authPolicy.type === 'requiredBearer' && !input.bearerTokenEnvVar && !bearerFromHeaders) {
    throw invalidRequest(`${field('bearerTokenEnvVar')}: authPolicy requiredBearer needs the name of the env var that holds the token`);
  }
  document.serverUrl = input.serverUrl;
  // A tenant's server must not reach this server's own network (metadata endpoints, internal services).
  if (!trusted) document.publicAddressesOnly = true;
  if (input.headers) document.headers = input.headers;
  if (input.headersFromEnv) document.headersFromEnv = input.headersFromEnv;
  if (input.bearerTokenEnvVar) document.bearerTokenEnvVar = input.bearerTokenEnvVar;
  return document;
}

/** The env vars a registration reads credentials from. */
function envVarsOf(document: McpServerDocument): string[] {
  return [
    ...(document.bearerTokenEnvVar ? [document.bearerTokenEnvVar] : []),
    ...Object.values(document.headersFromEnv ?? {}),
    ...Object.values(document.stdio?.envFromEnv ?? {}),
  ];
}

export function mcpServerView(record: McpServerRecord, env: NodeJS.ProcessEnv): McpServerView {
  const { document } = record;
  const missing = envVarsOf(document).some((name) => !env[name]);
  const { serverUrl, stdio, ...rest } = document;
  return {
    ...rest,
    serverUrl: serverUrl ?? `stdio:${stdio?.command ?? ''}`,
    ...(stdio ? { stdio } : {}),
    status: document.status === 'active' && missing ? 'needsAuthConfig' : document.status,
    revision: record.revision,
    createdAtMs: record.createdAt,
    updatedAtMs: record.updatedAt,
  };
}

/** mcp/servers/put, read, list, delete over the universe's McpServerStore. */
export function mcpServerMethods(options: McpServerRegistryOptions): MethodHandlers {
  const env = options.env ?? process.env;
  const trusted = options.trusted === true;
  return {
    'mcp/servers/put': async ({ server, expectedRevision }, { universe }) => {
      const record = await options.catalog(universe).put(mcpServerDocument(server, trusted), expectedRevision ?? undefined);
      return { result: { server: mcpServerView(record, env) } };
    },
    'mcp/servers/read': async ({ serverId }, { universe }) => {
      const record = await options.catalog(universe).get(serverId);
      if (!record) throw notFound(`MCP server ${JSON.stringify(serverId)} is not registered in this universe; list them with mcp/servers/list`);
      return { result: { server: mcpServerView(record, env) } };
    },
    'mcp/servers/list': async ({ status }, { universe }) => {
      const views = (await options.catalog(universe).list()).map((record) => mcpServerView(record, env));
      return { result: { servers: status ? views.filter((view) => view.status === status) : views } };
    },
    'mcp/servers/delete': async ({ serverId }, { universe }) => {
      const record = await options.catalog(universe).delete(serverId);
      return { result: { server: mcpServerView(record, env) } };
    },
  };
}
