/**
 * Areas of the v1 contract this server does not serve (yet), by method prefix. A stock client
 * calling one gets -32601 saying which area it is and where it is planned, rather than a bare
 * "method not found" it cannot tell from a typo — and never a silent success.
 * A registered handler always wins over this list.
 */
const AREAS: readonly { prefix: string; area: string }[] = [
  { prefix: 'session/managed/', area: 'managed sessions (lifecycle controllers, workflow tools) are not served by this server' },
  // Environments here are local sandboxes (docs/0027-environments.md): provider-side machinery has no local counterpart.
  ...['environments/external/', 'environments/ingress/', 'environments/power/', 'environments/idle-policy/', 'environments/provider-bindings/', 'environments/templates/'].map((prefix) => ({
    prefix,
    area: 'issue 22: environments on this server are local sandbox directories (bubblewrap), not provider-provisioned machines: there are no external endpoints, ingress, power states, idle policies, provider bindings or templates (docs/0027-environments.md)',
  })),
  // Served by `lightspeed serve` (a data directory); a gateway embedded without environments has none to serve.
  ...['session/environments/', 'environments/'].map((prefix) => ({
    prefix,
    area: 'issue 22: environments are not enabled on this gateway: they need a data directory for their sandbox directories (`lightspeed serve`, not --data-dir :memory:; createGateway options.environments)',
  })),
  { prefix: 'auth/', area: 'auth grants, OAuth clients and auth providers are not served: this server authenticates callers with API keys (`lightspeed keys`)' },
  { prefix: 'operator/', area: 'operator administration (universes, API keys, environment providers) is not served over the API; manage API keys with `lightspeed keys`' },
  // Served by `lightspeed serve`; a gateway embedded without an MCP server catalog has no records to serve.
  { prefix: 'mcp/servers/', area: 'MCP server records are not enabled on this gateway (it was created without an MCP server catalog: createGateway options.mcpServers)' },
  // Served over SQL storage; an in-memory gateway (`--data-dir :memory:`) has no queue.
  { prefix: 'tasks/', area: 'the task queue is not enabled on this gateway: it needs SQL storage (a data directory or LIGHTSPEED_POSTGRES_URL, not --data-dir :memory:)' },
];

/** Why `method` is not served, when it belongs to a known contract area; undefined otherwise. */
export function unservedArea(method: string): string | undefined {
  return AREAS.find((entry) => method.startsWith(entry.prefix))?.area;
}
