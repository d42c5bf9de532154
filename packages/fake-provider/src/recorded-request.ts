/** A request the fake received, kept so tests can assert what a client actually sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased headers; credentials (`authorization`, `x-api-key`) are redacted. */
  headers: Record<string, string>;
  body: unknown;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'proxy-authorization']);

export function recordHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
