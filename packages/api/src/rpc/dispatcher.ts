import type { z } from 'zod';
import { isMethodName, methodSpecs, type MethodName, type ParamsOf, type ResultOf } from '../schemas/methods.js';
import type { AgentNotification } from '../schemas/notifications.js';
import { ApiError, toApiError } from './api-error.js';
import { RpcErrorCode } from './error-codes.js';
import { errorResponse, parseEnvelope, salvageId, type JsonRpcResponse } from './json-rpc.js';
import { paramsShapeProblem } from './params-guard.js';
import { unservedArea } from './unserved-methods.js';

/** Who is calling and for how long the answer is wanted. The universe comes from the credential. */
export interface CallContext {
  universe: string;
  signal: AbortSignal;
  /** Who is calling (`key <keyId>` or `local user`), recorded where the log attributes a decision. */
  actor?: string;
}

export interface MethodOutcome<M extends MethodName> {
  result: ResultOf<M>;
  notifications?: AgentNotification[];
}

export type MethodHandler<M extends MethodName> = (params: ParamsOf<M>, context: CallContext) => Promise<MethodOutcome<M>>;

/** Handlers by method name; a method without a handler answers "method not found". */
export type MethodHandlers = { [M in MethodName]?: MethodHandler<M> };

export interface DispatcherOptions {
  /** Most requests in one batch (default 100). */
  maxBatch?: number;
  /** Receives unexpected handler failures (the client only sees an opaque `internal` error). */
  onInternalError?: (error: unknown, method: string) => void;
}

const MAX_SUMMARY = 600;

/**
 * The issues to report. A union that matched no branch reports the branch that got furthest (its
 * deepest issue path) instead of a bare "Invalid input": for a tree manifest that is the entry at
 * fault, not "matches neither manifest form".
 */
function reportedIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = [], depth = 0): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && depth < 8) {
      const deepest = (branch: readonly z.core.$ZodIssue[]) => Math.max(0, ...branch.map((candidate) => candidate.path.length));
      const best = issue.errors.reduce((a, b) => (deepest(b) > deepest(a) ? b : a));
      if (deepest(best) > 0) {
        out.push(...reportedIssues(best, path, depth + 1));
        continue;
      }
    }
    // A refused record key says only "Invalid key in record"; its own issue says why.
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      out.push({ path, message: issue.issues.map((inner) => inner.message).join('; ') });
      continue;
    }
    out.push({ path, message: issue.message });
  }
  return out;
}

/** One line per zod issue (path: message), bounded so hostile params cannot inflate the answer. */
export function summarizeIssues(error: z.ZodError): string {
  const issues = reportedIssues(error.issues);
  const lines = issues.slice(0, 8).map((issue) => {
    const path = issue.path.map((segment) => String(segment).slice(0, 40)).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  if (issues.length > 8) lines.push(`…and ${issues.length - 8} more`);
  const text = lines.join('; ');
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text;
}

function wireError(code: number, kind: ApiError['kind'], message: string) {
  return { code, message, data: { kind, message } };
}

/**
 * JSON-RPC 2.0 semantics over already-parsed JSON: envelope checks, batches, notifications
 * (no id → no answer), method lookup, params validation with zod and error mapping.
 */
export class Dispatcher {
  private readonly maxBatch: number;

  constructor(
    private readonly handlers: MethodHandlers,
    private readonly options: DispatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
  }

  /** Answers a parsed body: one response, an array for a batch, or undefined when nothing is owed. */
  async handle(body: unknown, context: CallContext): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (!Array.isArray(body)) return this.handleOne(body, context);
    if (body.length === 0) return errorResponse(null, wireError(RpcErrorCode.invalidRequest, 'invalid_request', 'a batch must contain at least one request'));
    if (body.length > this.maxBatch) {
      return errorResponse(null, wireError(RpcErrorCode.invalidRequest, 'invalid_request', `a batch may contain at most ${this.maxBatch} requests`));
    }
    const responses: JsonRpcResponse[] = [];
    // Sequential on purpose: clients batch dependent calls (put a blob, then read it).
    for (const item of body) {
      const response = await this.handleOne(item, context);
      if (response) responses.push(response);
    }
    return responses.length > 0 ? responses : undefined;
  }

  private async handleOne(value: unknown, context: CallContext): Promise<JsonRpcResponse | undefined> {
    const envelope = parseEnvelope(value);
    if (!envelope.ok) return errorResponse(salvageId(value), wireError(RpcErrorCode.invalidRequest, 'invalid_request', envelope.reason));
    const { request } = envelope;
    const isNotification = !('id' in request);
    const id = request.id ?? null;
    const answer = await this.invoke(request.method, request.params, context);
    if (isNotification) return undefined;
    return 'error' in answer ? errorResponse(id, answer.error) : { jsonrpc: '2.0', id, result: answer.result };
  }

  /**
   * Validates and runs one call, answering its outcome (`{ result }`, notifications included) or
   * its wire error. Public so in-process callers (the MCP server) get exactly what `POST /rpc` gets.
   */
  async invoke(method: string, rawParams: unknown, context: CallContext): Promise<{ result: unknown } | { error: ReturnType<typeof wireError> }> {
    const handler = isMethodName(method) ? (this.handlers[method] as MethodHandler<MethodName> | undefined) : undefined;
    if (!isMethodName(method) || !handler) {
      const name = JSON.stringify(method.slice(0, 80));
      const area = unservedArea(method);
      const message = area ? `method ${name} is not served: ${area}` : `method ${name} is not served here; see the method manifest`;
      return { error: wireError(RpcErrorCode.methodNotFound, 'not_found', message) };
    }
    if (Array.isArray(rawParams)) {
      return { error: wireError(RpcErrorCode.invalidParams, 'invalid_request', 'params must be an object (by-name); positional params are not supported') };
    }
    // Validation sits inside the same try as the handler: whatever throws while params are parsed
    // is answered as this request's error (with its id), never as a transport-level 500.
    try {
      const shape = paramsShapeProblem(rawParams);
      if (shape) return { error: wireError(RpcErrorCode.invalidParams, 'invalid_request', `invalid params: ${shape}`) };
      const parsed = methodSpecs[method].params.safeParse(rawParams ?? {});
      if (!parsed.success) return { error: wireError(RpcErrorCode.invalidParams, 'invalid_request', `invalid params: ${summarizeIssues(parsed.error)}`) };
      const outcome = await handler(parsed.data as never, context);
      return { result: outcome.notifications?.length ? outcome : { result: outcome.result } };
    } catch (error) {
      const apiError = toApiError(error, (cause) => this.options.onInternalError?.(cause, method));
      return { error: wireError(apiError.code, apiError.kind, apiError.message) };
    }
  }
}
