import { isIP } from 'node:net';
import { ApiError } from '../rpc/api-error.js';
import { RpcErrorCode } from '../rpc/error-codes.js';
import type { ApiKeyRegistry } from './api-key-registry.js';

/**
 * How the gateway learns the caller's universe. Single-user mode is for embedded use: every call
 * acts in one fixed universe and no key is needed, so it must only listen on loopback. API-key
 * mode resolves `Authorization: Bearer <key>` through a registry. Either way the universe comes
 * from this policy, never from a header or a param.
 */
export type GatewayAuth = { mode: 'single-user'; universe?: string } | { mode: 'api-key'; registry: ApiKeyRegistry };

export const DEFAULT_UNIVERSE = 'local';

export function singleUserAuth(universe: string = DEFAULT_UNIVERSE): GatewayAuth {
  return { mode: 'single-user', universe };
}

export function apiKeyAuth(registry: ApiKeyRegistry): GatewayAuth {
  return { mode: 'api-key', registry };
}

export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super('rejected', message, RpcErrorCode.unauthorized);
    this.name = 'UnauthorizedError';
  }
}

/** Resolves the caller's universe from the Authorization header value (or throws UnauthorizedError). */
export async function authenticate(auth: GatewayAuth, authorization: string | undefined): Promise<string> {
  if (auth.mode === 'single-user') return auth.universe ?? DEFAULT_UNIVERSE;
  const match = authorization === undefined ? null : /^Bearer ([^\s]{1,512})$/.exec(authorization.trim());
  if (!match) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"');
  const universe = await auth.registry.resolve(match[1]!);
  if (universe === undefined) throw new UnauthorizedError('unknown or revoked API key');
  return universe;
}

/**
 * Who an authenticated call comes from, for attribution in the log (approvals, answers): the key's
 * public id (`lsk_<keyId>_…`, never the secret), or the local user of a single-user server.
 */
export function callerOf(auth: GatewayAuth, authorization: string | undefined): string {
  if (auth.mode === 'single-user') return 'local user';
  const keyId = /^Bearer lsk_([a-f0-9]{12})_/.exec(authorization?.trim() ?? '')?.[1];
  return keyId ? `key ${keyId}` : 'key';
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.toLowerCase() === '::ffff:127.0.0.1';
  return false;
}

/**
 * The bind policy the CLI applies before listening: single-user mode only on loopback unless the
 * operator explicitly opts in (e.g. inside a container with its own network boundary).
 */
export function assertBindAllowed(host: string, auth: GatewayAuth, options: { allowUnauthenticatedNetwork?: boolean } = {}): void {
  if (auth.mode === 'single-user' && !isLoopbackHost(host) && !options.allowUnauthenticatedNetwork) {
    throw new Error(
      `refusing to serve single-user (unauthenticated) mode on ${host}: bind to 127.0.0.1, or use API keys for network access`,
    );
  }
}
