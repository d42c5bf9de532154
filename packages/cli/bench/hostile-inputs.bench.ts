// Hostile inputs against a real `lightspeed serve` (PGlite data dir, fake provider), as issue 24
// measured them: the largest blob an upload accepts, a 100,000-ref `blobs/has` beside a concurrent
// `session/read`, and slow clients (headers sent byte by byte) alone and 300 at once.
//
//   npm run bench:hostile      (builds first: the server runs from packages/cli/bin)
//
// With the limits of docs/0010-api-gateway.md in place: blobs/has above 1000 refs is refused at once,
// a header trickler is cut at the 10 s header timeout, a body trickler at the 120 s request timeout
// (BENCH_SLOW_CAP_S=130 to watch it), and slow clients past 64 per address are refused with a 503.
//
// Slow clients connect from 127.0.0.2 (still loopback) so the plain call from 127.0.0.1 shows what a
// well-behaved neighbour sees. BENCH_SLOW_CAP_S bounds how long one slow client is watched (default 100 s).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServeChild as startServe } from './serve-child.js';

const MiB = 1024 * 1024;
const SLOW_CAP_MS = Number(process.env.BENCH_SLOW_CAP_S ?? 100) * 1000;


let nextId = 1;
async function rpc(url: string, method: string, params: unknown): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(`${url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, body: { error: { code: cause?.code ?? 'fetch', message: 'no answer' } }, ms: performance.now() - started };
  }
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, ms: performance.now() - started };
}

const describe = (answer: { status: number; body: any }) =>
  answer.body?.error ? `HTTP ${answer.status} id=${JSON.stringify(answer.body.id)} ${answer.body.error.code} ${String(answer.body.error.message).slice(0, 70)}` : `HTTP ${answer.status} ok`;

async function blobPutSizes(url: string): Promise<void> {
  console.log('\n## blobs/put (JSON-RPC, base64)');
  for (const mib of [1, 3, 3.25, 4, 5, 6, 6.5]) {
    const bytes = randomBytes(Math.floor(mib * MiB));
    const answer = await rpc(url, 'blobs/put', { blobs: [{ bytesBase64: bytes.toString('base64') }] });
    console.log(`${mib.toString().padStart(5)} MiB: ${describe(answer)} (${answer.ms.toFixed(0)} ms)`);
  }
  console.log('\n## PUT /blobs (raw body)');
  for (const mib of [4, 20, 64, 65]) {
    const bytes = randomBytes(Math.floor(mib * MiB));
    const started = performance.now();
    const response = await fetch(`${url}/blobs`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const text = await response.text();
    console.log(`${mib.toString().padStart(5)} MiB: HTTP ${response.status} ${text.slice(0, 90)} (${(performance.now() - started).toFixed(0)} ms)`);
  }
}

async function blobHasBeside(url: string, refs: number): Promise<void> {
  const sessionId = (await rpc(url, 'session/start', {})).body.result.result.session.id as string;
  const blobRefs = Array.from({ length: refs }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
  let running = true;
  const latencies: number[] = [];
  const reader = (async () => {
    while (running) {
      latencies.push((await rpc(url, 'session/read', { sessionId })).ms);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const answer = await rpc(url, 'blobs/has', { blobRefs });
  running = false;
  await reader;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
  console.log(
    `${refs.toString().padStart(6)} refs: ${describe(answer)} in ${answer.ms.toFixed(0)} ms; concurrent session/read n=${latencies.length} p50 ${p(0.5)} ms, max ${p(1)} ms`,
  );
}

type SlowKind = 'headers' | 'body';

/**
 * A client that never finishes its request: `headers` sends one header byte per second; `body`
 * sends complete headers of a POST /rpc and then one body byte per second.
 */
function slowClient(port: number, localAddress: string, kind: SlowKind = 'headers'): { closedAfterMs: Promise<number>; closedAt(): number | undefined; socket: Socket } {
  const started = performance.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  socket.once('connect', () => {
    socket.write(
      kind === 'headers'
        ? 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'
        : 'POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
    );
    timer = setInterval(() => socket.write(kind === 'headers' ? 'x' : ' '), 1000);
  });
  let closedAt: number | undefined;
  const closedAfterMs = new Promise<number>((resolve) => {
    socket.once('close', () => {
      clearInterval(timer);
      closedAt = performance.now() - started;
      resolve(closedAt);
    });
  });
  return { closedAfterMs, closedAt: () => closedAt, socket };
}

async function slowClients(url: string, kind: SlowKind): Promise<void> {
  const port = Number(new URL(url).port);
  console.log(`\n## slow clients (${kind} byte by byte)`);
  const one = slowClient(port, '127.0.0.2', kind);
  const held = await Promise.race([one.closedAfterMs, new Promise<number>((resolve) => setTimeout(() => resolve(-1), SLOW_CAP_MS))]);
  one.socket.destroy();
  console.log(held < 0 ? `one slow client: still connected after ${SLOW_CAP_MS / 1000} s (gave up)` : `one slow client: server closed it after ${(held / 1000).toFixed(1)} s`);

  const sessionId = (await rpc(url, 'session/start', {})).body.result.result.session.id as string;
  const crowd = Array.from({ length: 300 }, () => slowClient(port, '127.0.0.2', kind));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const plain: number[] = [];
  for (let i = 0; i < 10; i++) {
    plain.push((await rpc(url, 'session/read', { sessionId })).ms);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // Read synchronously: racing `closedAfterMs.then(…)` against a resolved promise always loses a tick.
  const open = crowd.filter((c) => c.closedAt() === undefined).length;
  const refusedFast = crowd.filter((c) => (c.closedAt() ?? Infinity) < 1500).length;
  console.log(`300 slow clients: ${refusedFast} closed within 1.5 s, ${open} still open after 7 s; plain session/read from 127.0.0.1: max ${Math.max(...plain).toFixed(0)} ms, p50 ${plain.sort((a, b) => a - b)[5]!.toFixed(0)} ms`);
  for (const c of crowd) c.socket.destroy();
  // Let the server see them go, or the next round's first client is refused by the per-address cap.
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

const dir = mkdtempSync(join(tmpdir(), 'lightspeed-hostile-bench-'));
const server = await startServe(join(dir, 'data'));
try {
  console.log(`lightspeed serve at ${server.url}`);
  await blobPutSizes(server.url);
  console.log('\n## blobs/has beside session/read');
  for (const refs of [250, 1_000, 10_000, 100_000]) await blobHasBeside(server.url, refs);
  if (!server.running()) throw new Error(`the server died:\n${server.stderr().slice(-2000)}`);
  await slowClients(server.url, 'headers');
  await slowClients(server.url, 'body');
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
