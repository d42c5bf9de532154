import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { isMethodName } from '../src/schemas/methods.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { UpstreamRpcError, UpstreamStyleClient } from './support/upstream-client.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

/** The error an upstream-style call fails with (the test fails if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<UpstreamRpcError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the call should fail').toBeInstanceOf(UpstreamRpcError);
  return error as UpstreamRpcError;
}

describe('a stock upstream Lightspeed v1 client against the gateway', () => {
  const contract = new ContractValidator();
  let test: TestHost;
  let server: ServingGateway;
  let client: UpstreamStyleClient;

  beforeAll(async () => {
    test = await startTestHost();
    server = await serveGateway(createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model as never, longPollCapMs: 5_000 } }));
    client = new UpstreamStyleClient(`${server.url}/rpc`);
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
  });

  it('gets -32601 naming the area for every contract method this server does not serve, never a silent success', async () => {
    const unserved = contract.methodNames().filter((method) => !isMethodName(method));
    expect(unserved.length).toBeGreaterThan(0);
    for (const method of unserved) {
      const error = await failure(client.call(method, {}));
      expect(error.code, method).toBe(-32601);
      expect(error.kind).toBe('method_not_found');
      // Each names its area (managed sessions, environments, auth, operator, or an issue 21 part).
      expect(error.message, method).toMatch(/managed sessions|issue 22|auth|operator|issue 21/);
      expect(error.message, method).not.toContain('see the method manifest');
    }
    // An unknown name that is no contract method keeps the generic answer.
    expect((await failure(client.call('session/teleport', {}))).message).toContain('see the method manifest');
  });
});
