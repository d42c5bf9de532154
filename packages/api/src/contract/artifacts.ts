import { z } from 'zod';
import { errorCatalog } from '../rpc/error-codes.js';
import { methodSpecs } from '../schemas/methods.js';
import { PROTOCOL_VERSION } from '../schemas/protocol.js';
import { wireTypes } from '../schemas/registry.js';

/** File name → JSON value of every generated contract artifact (see `npm run generate`). */
export type ContractArtifacts = Record<string, unknown>;

export const SCHEMA_FILE = 'lightspeed-api.schema.json';
export const METHODS_FILE = 'lightspeed-api.methods.json';
export const OPENRPC_FILE = 'lightspeed-api.openrpc.json';

type JsonObject = Record<string, unknown>;

/** All named wire types as draft-07 definitions, keyed by contract name, sorted for stable diffs. */
export function buildDefinitions(refPrefix = '#/definitions/'): Record<string, JsonObject> {
  // Touch the method table so every outcome envelope is registered before conversion.
  void methodSpecs;
  const { schemas } = z.toJSONSchema(wireTypes, {
    target: 'draft-07',
    io: 'input',
    uri: (id) => `${refPrefix}${id}`,
  }) as { schemas: Record<string, JsonObject> };
  const definitions: Record<string, JsonObject> = {};
  for (const id of Object.keys(schemas).sort()) {
    const { $schema: _schema, $id: _id, ...rest } = schemas[id]!;
    definitions[id] = rest;
  }
  return definitions;
}

function buildSchemaDocument(): JsonObject {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Lightspeed Agent API (this server)',
    description: 'JSON-RPC wire types served by @lightspeed/api, generated from its zod schemas.',
    definitions: buildDefinitions(),
  };
}

function buildMethodManifest(): JsonObject {
  return {
    protocolVersion: PROTOCOL_VERSION,
    transport: {
      kind: 'http-json-rpc',
      endpoint: '/rpc',
      resultEnvelope: 'AgentApiOutcome',
      error: { type: 'JsonRpcError', schema: { $ref: '#/definitions/JsonRpcError' } },
      stream: { endpoint: '/sessions/{sessionId}/stream', kind: 'sse', events: ['event', 'delta', 'heartbeat'] },
      // Extension: one blob as a raw body, for blobs too large for a JSON-RPC body (see README).
      blobUpload: { endpoint: '/blobs', httpMethod: 'PUT', body: 'application/octet-stream', result: { $ref: '#/definitions/BlobPutResult' } },
    },
    methods: Object.values(methodSpecs).map((spec) => ({
      method: spec.method,
      summary: spec.summary,
      description: spec.description,
      scope: 'universe',
      params: { type: spec.paramsType, schema: { $ref: `#/definitions/${spec.paramsType}` } },
      result: { type: `AgentApiOutcome<${spec.resultType}>`, schema: { $ref: `#/definitions/AgentApiOutcomeOf${spec.resultType}` } },
    })),
    errors: errorCatalog,
  };
}

function buildOpenRpc(): JsonObject {
  const schemas = buildDefinitions('#/components/schemas/');
  return {
    openrpc: '1.3.2',
    info: {
      title: 'Lightspeed Agent API',
      version: PROTOCOL_VERSION,
      description: 'JSON-RPC 2.0 over POST /rpc. Every result is an AgentApiOutcome envelope; errors carry data.kind.',
    },
    servers: [{ name: 'default', url: '/rpc' }],
    methods: Object.values(methodSpecs).map((spec) => {
      const params = schemas[spec.paramsType] as { properties?: Record<string, unknown>; required?: string[] };
      const required = new Set(params.required ?? []);
      return {
        name: spec.method,
        summary: spec.summary,
        description: spec.description,
        paramStructure: 'by-name',
        params: Object.entries(params.properties ?? {}).map(([name, schema]) => ({ name, required: required.has(name), schema })),
        result: { name: `AgentApiOutcome<${spec.resultType}>`, schema: { $ref: `#/components/schemas/AgentApiOutcomeOf${spec.resultType}` } },
        errors: errorCatalog.map((error) => ({ $ref: `#/components/errors/E${-error.code}` })),
      };
    }),
    components: {
      schemas,
      errors: Object.fromEntries(errorCatalog.map((error) => [`E${-error.code}`, { code: error.code, message: error.message, data: { kind: error.kind } }])),
    },
  };
}

export function buildContractArtifacts(): ContractArtifacts {
  return {
    [SCHEMA_FILE]: buildSchemaDocument(),
    [METHODS_FILE]: buildMethodManifest(),
    [OPENRPC_FILE]: buildOpenRpc(),
  };
}

/** The exact text written to disk: two-space JSON with a trailing newline. */
export function serializeArtifact(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
