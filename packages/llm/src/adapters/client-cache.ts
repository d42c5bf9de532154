import type { ResolvedEndpoint } from './api-adapter.js';

/**
 * One SDK client per endpoint (clients hold connection pools; building one per call would cost a
 * TCP + TLS handshake every turn). Keyed by the endpoint object the registry hands out.
 */
export class ClientCache<Client> {
  private readonly clients = new WeakMap<ResolvedEndpoint, Client>();

  constructor(private readonly create: (endpoint: ResolvedEndpoint) => Client) {}

  get(endpoint: ResolvedEndpoint): Client {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = this.create(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }
}
