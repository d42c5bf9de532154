import { z } from 'zod';
import { RemoteMcpApprovalPolicy } from './config.js';
import { cappedArray, MAX_CONFIG_LIST_ITEMS } from './limits.js';
import { epochMs, named, uint } from './registry.js';

/*
 * MCP server registrations (`mcp/servers/*`), per universe. The contract's McpServerInput plus
 * Lightspeed extensions (docs/0010-api-gateway.md, "MCP server records"): a `stdio` transport
 * (command, args, env) and credentials named by environment variable (`bearerTokenEnvVar`,
 * `headersFromEnv`, `stdio.envFromEnv`) — a record never holds a secret.
 */

const MAX_MAP_ENTRIES = 64;
const envVarName = () => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');
const stringMap = <T extends z.ZodType>(value: T) =>
  z.record(z.string().min(1).max(256), value).refine((map) => Object.keys(map).length <= MAX_MAP_ENTRIES, `at most ${MAX_MAP_ENTRIES} entries are allowed`);
const names = () => cappedArray(z.string(), MAX_CONFIG_LIST_ITEMS);

export const McpServerStatus = named('McpServerStatus', z.enum(['active', 'needsAuthConfig', 'unverified', 'disabled']));
export const RemoteMcpTransport = named('RemoteMcpTransport', z.enum(['streamableHttp', 'sse', 'auto', 'stdio']), 'Transport; `stdio` is a Lightspeed extension, `sse` is refused.');
const oauth = (type: 'optionalOAuth' | 'requiredOAuth') =>
  z.object({
    type: z.literal(type),
    resource: z.string(),
    authorization_server: z.string().nullish(),
    protected_resource_metadata_url: z.string().nullish(),
    scopes_default: names().default([]),
  });
export const McpServerAuthPolicy = named(
  'McpServerAuthPolicy',
  z.discriminatedUnion('type', [z.object({ type: z.literal('none') }), z.object({ type: z.literal('optionalBearer') }), z.object({ type: z.literal('requiredBearer') }), oauth('optionalOAuth'), oauth('requiredOAuth')]),
);
export const McpServerCredential = named('McpServerCredential', z.discriminatedUnion('type', [z.object({ type: z.literal('authGrant'), grantId: z.string() })]));

export const McpStdioServer = named(
  'McpStdioServer',
  z.strictObject({
    command: z.string().min(1).max(4096),
    args: cappedArray(z.string().max(4096), MAX_CONFIG_LIST_ITEMS).nullish(),
    env: stringMap(z.string().max(4096)).nullish(),
    envFromEnv: stringMap(envVarName()).nullish(),
    cwd: z.string().max(4096).nullish(),
  }),
  'Lightspeed extension: a local MCP server started as a child process. `env` values are stored as given (not for secrets); `envFromEnv` maps a child variable to the server env var whose value it gets.',
);

export const McpServerInput = named(
  'McpServerInput',
  z.strictObject({
    serverId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, '1-64 characters of [A-Za-z0-9._-], starting with a letter or digit'),
    serverUrl: z.string().max(4096).nullish(),
    defaultServerLabel: z.string().max(256).nullish(),
    transport: RemoteMcpTransport.default('auto'),
    allowedTools: names().nullish(),
    approvalDefault: RemoteMcpApprovalPolicy.default('never'),
    authPolicy: McpServerAuthPolicy.default({ type: 'none' }),
    credential: McpServerCredential.nullish(),
    deferLoadingDefault: z.boolean().nullish(),
    description: z.string().max(4096).nullish(),
    displayName: z.string().max(256).nullish(),
    status: McpServerStatus.default('active'),
    headers: stringMap(z.string().max(8192)).nullish(),
    headersFromEnv: stringMap(envVarName()).nullish(),
    bearerTokenEnvVar: envVarName().nullish(),
    stdio: McpStdioServer.nullish(),
    callTimeoutMs: uint().min(1).max(3_600_000).nullish(),
    connectTimeoutMs: uint().min(1).max(600_000).nullish(),
  }),
  'Full MCP server document as submitted by clients. Lightspeed extensions: transport `stdio` with `stdio`, `headers`, `headersFromEnv`, `bearerTokenEnvVar`, timeouts; `serverUrl` and `defaultServerLabel` may be omitted (stdio needs no URL; the label defaults to the id).',
);
export type McpServerInput = z.output<typeof McpServerInput>;

export const McpServerView = named(
  'McpServerView',
  z.object({
    serverId: z.string(),
    serverUrl: z.string(),
    transport: RemoteMcpTransport,
    defaultServerLabel: z.string(),
    approvalDefault: RemoteMcpApprovalPolicy,
    authPolicy: McpServerAuthPolicy,
    status: McpServerStatus,
    revision: uint(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
    allowedTools: z.array(z.string()).nullish(),
    credential: McpServerCredential.nullish(),
    deferLoadingDefault: z.boolean().nullish(),
    description: z.string().nullish(),
    displayName: z.string().nullish(),
    headers: z.record(z.string(), z.string()).nullish(),
    headersFromEnv: z.record(z.string(), z.string()).nullish(),
    bearerTokenEnvVar: z.string().nullish(),
    stdio: McpStdioServer.nullish(),
    callTimeoutMs: uint().nullish(),
    connectTimeoutMs: uint().nullish(),
    publicAddressesOnly: z.boolean().nullish(),
  }),
  'A stored registration. `publicAddressesOnly` marks an HTTP server a multi-user server\'s tenant registered: it is reached only at public internet addresses. `serverUrl` of a stdio server reads `stdio:<command>`. `status` is `needsAuthConfig` while an env var the record names is unset on the server.',
);
export type McpServerView = z.input<typeof McpServerView>;

export const McpServerPutParams = named('McpServerPutParams', z.object({ server: McpServerInput, expectedRevision: uint().nullish() }));
export const McpServerPutResponse = named('McpServerPutResponse', z.object({ server: McpServerView }));
export const McpServerReadParams = named('McpServerReadParams', z.object({ serverId: z.string() }));
export const McpServerReadResponse = named('McpServerReadResponse', z.object({ server: McpServerView }));
export const McpServerListParams = named('McpServerListParams', z.object({ status: McpServerStatus.nullish() }));
export const McpServerListResponse = named('McpServerListResponse', z.object({ servers: z.array(McpServerView).default([]) }));
export const McpServerDeleteParams = named('McpServerDeleteParams', z.object({ serverId: z.string() }));
export const McpServerDeleteResponse = named('McpServerDeleteResponse', z.object({ server: McpServerView }));
