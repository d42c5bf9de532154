import { MemoryBlobStore } from '@lightspeed/cas';
import type { BlobStore, WorkspaceStore } from '@lightspeed/ports';
import { MemoryWorkspaceStore, type SnapshotLimits } from '@lightspeed/vfs';
import type { Hono } from 'hono';
import { singleUserAuth, type GatewayAuth } from '../../src/auth/gateway-auth.js';
import type { GatewayOptions } from '../../src/gateway/gateway-options.js';
import { createRpcGateway } from '../../src/gateway/rpc-gateway.js';
import { blobMethods } from '../../src/handlers/blob-methods.js';
import { modelMethods } from '../../src/handlers/model-methods.js';
import { protocolMethods } from '../../src/handlers/protocol-methods.js';
import { vfsMethods } from '../../src/handlers/vfs-methods.js';

/**
 * A gateway serving the session-independent methods (initialize, blobs/*, vfs/*, models/list)
 * over real in-memory stores, one set per universe. `blobsOf`/`workspacesOf` reach the same stores
 * the handlers use, for tests that arrange state no method would create.
 */
export function storageGateway(
  auth: GatewayAuth = singleUserAuth(),
  options: GatewayOptions = {},
  vfs: { limits?: SnapshotLimits } = {},
): { app: Hono; blobs: Map<string, BlobStore>; blobsOf: (universe: string) => BlobStore; workspacesOf: (universe: string) => WorkspaceStore } {
  const blobs = new Map<string, BlobStore>();
  const workspaces = new Map<string, WorkspaceStore>();
  const blobsOf = (universe: string) => {
    if (!blobs.has(universe)) blobs.set(universe, new MemoryBlobStore());
    return blobs.get(universe)!;
  };
  const workspacesOf = (universe: string) => {
    if (!workspaces.has(universe)) workspaces.set(universe, new MemoryWorkspaceStore());
    return workspaces.get(universe)!;
  };
  const app = createRpcGateway({
    auth,
    blobsOf,
    options: { onInternalError: () => undefined, ...options },
    handlers: {
      ...protocolMethods({ name: 'lightspeed-test', version: '0.0.0' }),
      ...blobMethods(blobsOf),
      ...vfsMethods({ blobsOf, workspacesOf, ...vfs }),
      ...modelMethods(async () => [{ providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model', source: 'configured' }]),
    },
  });
  return { app, blobs, blobsOf, workspacesOf };
}

export async function rpc(app: Hono, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await app.request('/rpc', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
