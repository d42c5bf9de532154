import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { echoScript } from './echo.js';
import { renderFault, streamFaultPayload } from './faults.js';
import { planTurn, type TurnPlan } from './plan.js';
import { renderMessages } from './protocols/anthropic-messages.js';
import { renderChatCompletions } from './protocols/openai-chat-completions.js';
import { renderCompaction, renderResponses, usageOf } from './protocols/openai-responses.js';
import type { WireEvent } from './protocols/wire-event.js';
import { recordHeaders, type RecordedRequest } from './recorded-request.js';
import { viewRequest, type FakeProtocol, type RequestView } from './request-view.js';
import { parseRecording } from './recording.js';
import { FakeScriptError, parseFakeScript, type FakeScript } from './script.js';
import { ScriptQueue, scriptFromMarker } from './script-source.js';
import { writeSse } from './sse-writer.js';
import { renderEmbeddings } from './embeddings.js';

export interface FakeProviderOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Delay between streamed events for every response (scripts may add their own). */
  latencyMs?: number;
  /** Delay before the first event of every response. */
  firstTokenDelayMs?: number;
  /** Model ids served by `GET /v1/models`. */
  models?: string[];
  /** When set, requests must carry this key (Bearer or `x-api-key`) or get the protocol's 401. */
  requireApiKey?: string;
  /** Keep at most this many recorded requests (oldest dropped). Default 1000. */
  maxRecordedRequests?: number;
  /** Told of each streamed event as it is handed to the socket (benchmarks time deltas from here). */
  onStreamEvent?: (event: WireEvent) => void;
}

export interface FakeProvider {
  /** Base URL without a path, e.g. `http://127.0.0.1:4010`. OpenAI clients use `${url}/v1`. */
  url: string;
  port: number;
  enqueue(...scripts: FakeScript[]): void;
  reset(): void;
  /** Requests received so far, oldest first. */
  readonly requests: RecordedRequest[];
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_MODELS = ['fake-echo', 'fake-reasoning'];

const PROTOCOL_PATHS: Record<string, FakeProtocol> = {
  '/responses': 'openai:responses',
  '/chat/completions': 'openai:completions',
  '/messages': 'anthropic:messages',
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text).toString(), ...headers });
  res.end(text);
}

function protocolOfRequest(req: IncomingMessage, path: string): FakeProtocol | undefined {
  return PROTOCOL_PATHS[path] ?? (path === '/models' && req.headers['anthropic-version'] !== undefined ? 'anthropic:messages' : undefined);
}

function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * The in-stream form of a fault: how each protocol reports a failure after the stream began.
 * Anthropic has already reported usage in `message_start`; a Responses `response.failed` carries
 * the script's usage when the script gives one (what a billed, failed response reports).
 */
function faultEvent(protocol: FakeProtocol, script: FakeScript, plan: TurnPlan | undefined): WireEvent | undefined {
  if (!script.fault) return undefined;
  const payload = streamFaultPayload(protocol, script.fault);
  if (protocol === 'anthropic:messages') return { event: 'error', data: payload };
  if (protocol === 'openai:completions') return { data: payload };
  const error = payload.error as Record<string, unknown>;
  const usage = script.usage && plan ? usageOf(plan) : null;
  return {
    event: 'response.failed',
    data: { type: 'response.failed', sequence_number: 0, response: { id: 'resp_failed', object: 'response', status: 'failed', output: [], usage, error: { code: error.code ?? 'server_error', message: error.message } } },
  };
}

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const queue = new ScriptQueue();
  const requests: RecordedRequest[] = [];
  const models = options.models ?? DEFAULT_FAKE_MODELS;
  const maxRecorded = options.maxRecordedRequests ?? 1000;

  const record = (entry: RecordedRequest): void => {
    requests.push(entry);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
  };

  const chooseScript = (req: IncomingMessage, view: RequestView): FakeScript => {
    const header = req.headers['x-fake-script'];
    if (typeof header === 'string' && header !== '') return parseFakeScript(JSON.parse(header));
    return scriptFromMarker(view.lastUserText) ?? queue.take() ?? echoScript(view);
  };

  const serveGeneration = async (req: IncomingMessage, res: ServerResponse, protocol: FakeProtocol, body: Record<string, unknown>, chars: number): Promise<void> => {
    const view = viewRequest(protocol, body, chars);
    let script = chooseScript(req, view);
    // OpenAI has no "context full" finish: it rejects the request with context_length_exceeded.
    if (script.finish === 'context_length' && protocol !== 'anthropic:messages' && !script.fault) script = { ...script, fault: { kind: 'context_length' } };
    const firstTokenDelayMs = (script.firstTokenDelayMs ?? 0) + (options.firstTokenDelayMs ?? 0);
    if (script.fault && (script.faultAfterEvents === undefined || !view.stream)) {
      if (firstTokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, firstTokenDelayMs));
      const fault = renderFault(protocol, script.fault);
      sendJson(res, fault.status, fault.body, fault.headers);
      return;
    }
    if (script.replay !== undefined) return serveReplay(res, protocol, view, script, firstTokenDelayMs);
    const plan = planTurn(script, chars);
    const rendered = protocol === 'openai:responses' ? renderResponses(plan, view, body) : protocol === 'openai:completions' ? renderChatCompletions(plan, view) : renderMessages(plan, view);
    if (!view.stream) {
      if (firstTokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, firstTokenDelayMs));
      sendJson(res, 200, rendered.json);
      return;
    }
    await writeSse(res, rendered.events, {
      firstTokenDelayMs,
      chunkLatencyMs: (script.chunkLatencyMs ?? 0) + (options.latencyMs ?? 0),
      truncateAfterEvents: script.truncateAfterEvents,
      malformedAfterEvents: script.malformedAfterEvents,
      faultAfterEvents: script.faultAfterEvents,
      faultEvent: faultEvent(protocol, script, plan),
      ...(options.onStreamEvent ? { onEventSent: options.onStreamEvent } : {}),
    });
  };

  /** Sends a recorded response as it was recorded; a recording of another protocol or mode is refused. */
  const serveReplay = async (res: ServerResponse, protocol: FakeProtocol, view: RequestView, script: FakeScript, firstTokenDelayMs: number): Promise<void> => {
    const recording = parseRecording(script.replay!);
    const mode = view.stream ? 'stream' : 'json';
    if (recording.protocol !== protocol || recording.kind !== mode) {
      const message = `fake provider: the replayed recording is a ${recording.protocol} ${recording.kind === 'stream' ? 'stream' : 'JSON body'}, but this request is ${protocol} with stream: ${view.stream}`;
      sendJson(res, 400, { error: { message, type: 'invalid_request_error', code: 'replay_mismatch' } });
      return;
    }
    if (recording.kind === 'json') {
      if (firstTokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, firstTokenDelayMs));
      sendJson(res, 200, recording.body);
      return;
    }
    await writeSse(res, recording.events, {
      firstTokenDelayMs,
      chunkLatencyMs: (script.chunkLatencyMs ?? 0) + (options.latencyMs ?? 0),
      truncateAfterEvents: script.truncateAfterEvents,
      malformedAfterEvents: script.malformedAfterEvents,
      faultAfterEvents: script.faultAfterEvents,
      faultEvent: faultEvent(protocol, script, undefined),
    });
  };

  const serveModels = (res: ServerResponse, protocol: FakeProtocol | undefined): void => {
    if (protocol === 'anthropic:messages') {
      const data = models.map((id) => ({ type: 'model', id, display_name: `${id} (scripted fake)`, created_at: '2025-01-01T00:00:00Z' }));
      sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      return;
    }
    sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'lightspeed-fake-provider' })) });
  };

  const serveAdmin = async (req: IncomingMessage, res: ServerResponse, path: string, text: string): Promise<void> => {
    if (path === '/_fake/script' && req.method === 'POST') {
      const value: unknown = JSON.parse(text);
      queue.push(...(Array.isArray(value) ? value : [value]).map((item) => parseFakeScript(item)));
      sendJson(res, 200, { queued: queue.length });
    } else if (path === '/_fake/reset' && req.method === 'POST') {
      queue.clear();
      requests.length = 0;
      sendJson(res, 200, { ok: true });
    } else if (path === '/_fake/requests' && req.method === 'GET') {
      sendJson(res, 200, { requests });
    } else {
      sendJson(res, 404, { error: { message: `no admin route ${req.method} ${path}` } });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '');
    const text = req.method === 'GET' ? '' : await readBody(req);
    if (path.startsWith('/_fake/')) return serveAdmin(req, res, path, text);
    const body: unknown = text === '' ? {} : JSON.parse(text);
    record({ method: req.method ?? 'GET', path: url.pathname, headers: recordHeaders(req.headers), body });
    const protocol = protocolOfRequest(req, path);
    if (options.requireApiKey !== undefined && presentedKey(req) !== options.requireApiKey) {
      const fault = renderFault(protocol ?? 'openai:responses', { kind: 'auth' });
      return sendJson(res, fault.status, fault.body);
    }
    if (path === '/models' && req.method === 'GET') return serveModels(res, protocol);
    if (path === '/embeddings' && req.method === 'POST') {
      const answer = renderEmbeddings(body as Record<string, unknown>);
      return sendJson(res, answer.status, answer.body);
    }
    if (path === '/responses/compact' && req.method === 'POST') return sendJson(res, 200, renderCompaction(body as Record<string, unknown>, text.length));
    if (protocol && req.method === 'POST') return serveGeneration(req, res, protocol, body as Record<string, unknown>, text.length);
    sendJson(res, 404, { error: { message: `the fake provider has no route ${req.method} ${url.pathname}`, type: 'invalid_request_error', code: 'not_found' } });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const invalid = error instanceof FakeScriptError || error instanceof SyntaxError;
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, invalid ? 400 : 500, { error: { message: `fake provider: ${message}`, type: invalid ? 'invalid_request_error' : 'server_error', code: null } });
    });
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    enqueue: (...scripts) => queue.push(...scripts),
    reset: () => {
      queue.clear();
      requests.length = 0;
    },
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
