import { z } from 'zod';
import { named } from './registry.js';

/** The protocol identifier this gateway speaks (the contract's `protocolVersion`). */
export const PROTOCOL_VERSION = 'lightspeed.agent.api.v1';

export const AgentApiErrorKind = named(
  'AgentApiErrorKind',
  z.enum([
    'invalid_request',
    'not_found',
    'conflict',
    'rejected',
    'unsupported_audio_mime',
    'audio_blob_too_large',
    'audio_duration_too_long',
    'transcoder_unavailable',
    'transcode_failure',
    'transcription_failure',
    'internal',
    'session_bootstrap_failed',
  ]),
);
export type AgentApiErrorKind = z.infer<typeof AgentApiErrorKind>;

export const AgentApiError = named('AgentApiError', z.object({ kind: AgentApiErrorKind, message: z.string() }));
export type AgentApiError = z.infer<typeof AgentApiError>;

export const JsonRpcError = named(
  'JsonRpcError',
  z.object({ code: z.number().int(), message: z.string(), data: AgentApiError.nullish() }),
);
export type JsonRpcError = z.infer<typeof JsonRpcError>;

export const ClientInfo = named('ClientInfo', z.object({ name: z.string(), version: z.string().nullish() }));
export const ClientCapabilities = named('ClientCapabilities', z.object({ experimentalApi: z.boolean().default(false) }));

export const InitializeParams = named(
  'InitializeParams',
  z.object({ capabilities: ClientCapabilities.nullish(), clientInfo: ClientInfo.nullish() }),
);
export const ServerInfo = named('ServerInfo', z.object({ name: z.string(), version: z.string() }));
export const ServerCapabilities = named(
  'ServerCapabilities',
  z.object({
    eventLog: z.boolean().default(false),
    historyRead: z.boolean(),
    localExecution: z.boolean(),
    notifications: z.boolean(),
  }),
);
export const InitializeResponse = named(
  'InitializeResponse',
  z.object({ protocolVersion: z.string(), serverInfo: ServerInfo, capabilities: ServerCapabilities }),
);
export type InitializeResponse = z.infer<typeof InitializeResponse>;
