import { LightspeedError } from '@lightspeed/ports';
import { z } from 'zod';
import { HostAllowList } from './host-allow-list.js';

export interface WebFetchConfig {
  /**
   * Hosts exempt from the address policy: `host` for its scheme's default port (80/443) only,
   * `host:port` or `[ipv6]:port` for exactly that port. See `HostAllowList`.
   */
  allowHosts?: string[];
  /** Raw body bytes read at most. */
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
}

/** A validated `WebFetchConfig` with its defaults applied. */
export interface WebFetchPolicy {
  allow: HostAllowList;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  userAgent: string;
}

const WebFetchConfigSchema = z.strictObject({
  allowHosts: z.array(z.string()).max(10_000).optional(),
  maxBytes: z.int().positive().optional(),
  timeoutMs: z.int().positive().optional(),
  maxRedirects: z.int().min(0).max(100).optional(),
  userAgent: z.string().min(1).max(1000).optional(),
});

const DEFAULTS = { maxBytes: 2 * 1024 * 1024, timeoutMs: 20_000, maxRedirects: 5, userAgent: 'Lightspeed-WebFetch/0.1' };

/**
 * Validates a web fetch config where it is configured (deployment defaults, a session's context),
 * so a typo fails at startup with an `invalid` error naming the field or the allowHosts entry,
 * not as a refused fetch later.
 */
export function parseWebFetchConfig(config: unknown = {}): WebFetchPolicy {
  const parsed = WebFetchConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
    const unknownKeys = parsed.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
    throw new LightspeedError(
      'invalid',
      `web fetch config is not valid (${problems}${unknownKeys.length ? ` [${unknownKeys.join(', ')}]` : ''}). Fields: allowHosts (list of host or host:port), maxBytes, timeoutMs, maxRedirects, userAgent.`,
    );
  }
  const { allowHosts, ...limits } = parsed.data;
  return { ...DEFAULTS, ...definedOnly(limits), allow: HostAllowList.parse(allowHosts) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
