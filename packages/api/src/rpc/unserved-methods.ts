/**
 * Areas of the v1 contract this server does not serve (yet), by method prefix. A stock client
 * calling one gets -32601 saying which area it is and where it is planned, rather than a bare
 * "method not found" it cannot tell from a typo — and never a silent success.
 *
 * The issue 21 areas (profiles, MCP server records, skills) only answer from here until their
 * handlers are registered: a registered handler always wins.
 */
const AREAS: readonly { prefix: string; area: string }[] = [
  { prefix: 'session/managed/', area: 'managed sessions (lifecycle controllers, workflow tools) are not served by this server' },
  { prefix: 'session/environments/', area: 'environments are planned in issue 22 (environments and delegation) and not served yet' },
  { prefix: 'environments/', area: 'environments are planned in issue 22 (environments and delegation) and not served yet' },
  { prefix: 'auth/', area: 'auth grants, OAuth clients and auth providers are not served: this server authenticates callers with API keys (`lightspeed keys`)' },
  { prefix: 'operator/', area: 'operator administration (universes, API keys, environment providers) is not served over the API; manage API keys with `lightspeed keys`' },
  { prefix: 'profiles/', area: 'agent profiles are planned in issue 21 (agents a user can define) and not served yet' },
  { prefix: 'session/profiles/', area: 'agent profiles are planned in issue 21 (agents a user can define) and not served yet' },
  { prefix: 'mcp/servers/', area: 'MCP server records are planned in issue 21 (tools reachable) and not served yet' },
];

/** Why `method` is not served, when it belongs to a known contract area; undefined otherwise. */
export function unservedArea(method: string): string | undefined {
  return AREAS.find((entry) => method.startsWith(entry.prefix))?.area;
}
