import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused connection may stay open to receive its 503 before it is cut. */
const REFUSED_GRACE_MS = 1_000;

/**
 * Caps the connections one IP address holds open at once. An over-cap connection is not read
 * further than its first request, which is answered 503 (Retry-After, `Connection: close`), so an
 * HTTP client sees why; one that sends nothing is cut after a short grace. Refused connections do
 * not count, so they cannot crowd out the address's admitted ones.
 */
export class ConnectionGuard {
  private readonly open = new Map<string, number>();
  private readonly refused = new WeakSet<Socket>();

  constructor(readonly maxPerIp: number) {}

  /** Counts a new connection (the server's `connection` event) or marks it refused. */
  admit(socket: Socket): void {
    if (this.maxPerIp <= 0) return;
    const ip = socket.remoteAddress ?? 'unknown';
    const count = this.open.get(ip) ?? 0;
    if (count >= this.maxPerIp) {
      this.refused.add(socket);
      const timer = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    this.open.set(ip, count + 1);
    socket.once('close', () => {
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left > 0) this.open.set(ip, left);
      else this.open.delete(ip);
    });
  }

  /** `listener`, except on refused connections, which get the 503. */
  guard(listener: RequestListener): RequestListener {
    return (request: IncomingMessage, response: ServerResponse) => {
      if (!this.refused.has(request.socket)) {
        void listener(request, response);
        return;
      }
      const body = JSON.stringify({
        error: { kind: 'rejected', message: `too many connections from your address (at most ${this.maxPerIp} at once); close some or retry shortly` },
      });
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
  }

  /** Open connections counted for `ip` (for tests and diagnostics). */
  openFrom(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}
