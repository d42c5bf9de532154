// Proves the ground the Restate host stands on: the npm-shipped restate-server starts on this
// machine, the official SDK serves a virtual object to it, and the ingress drives that object.
import '../src/polyfills.js';
import { existsSync } from 'node:fs';
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as restate from '@restatedev/restate-sdk';
import * as clients from '@restatedev/restate-sdk-clients';
import { startRestate, type RestateServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sideEffects, tally, type TallyReceipt } from './fixtures/tally-object.js';

let server: RestateServer;
let endpoint: Http2Server;

beforeAll(async () => {
  server = await startRestate();
  // The SDK logs every invocation at INFO; only its errors help when this test fails.
  const quietLogger: restate.LoggerTransport = (params, message, ...rest) => {
    if (String(params.level) === 'error') console.error(message, ...rest);
  };
  endpoint = createServer(restate.endpoint().bind(tally).setLogger(quietLogger).http2Handler());
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const { port } = endpoint.address() as AddressInfo;
  const registration = await fetch(`${server.adminUrl}/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uri: `http://127.0.0.1:${port}` }),
  });
  expect(registration.status, await registration.text()).toBe(201);
});

afterAll(async () => {
  await server?.stop();
  endpoint?.close();
});

describe('a real Restate server', () => {
  it('provides Promise.withResolvers, which the SDK needs, on every supported Node', () => {
    const { promise, resolve } = (Promise as unknown as {
      withResolvers<T>(): { promise: Promise<T>; resolve(value: T): void };
    }).withResolvers<number>();
    resolve(7);
    return expect(promise).resolves.toBe(7);
  });

  it('runs an exclusive handler with ctx.run and durable state through the ingress', async () => {
    const ingress = clients.connect({ url: server.ingressUrl });
    const object = ingress.objectClient(tally, 'session-1');
    const runsBefore = sideEffects.runs;

    const first: TallyReceipt = await object.add(5);
    const second: TallyReceipt = await object.add(7);

    expect(first.total).toBe(5);
    expect(second.total).toBe(12);
    expect(second.stamp).toBe(first.stamp + 1);
    expect(sideEffects.runs - runsBefore).toBe(2);
    expect(await object.total()).toBe(12);
    // State is per key: another session starts from zero.
    expect(await ingress.objectClient(tally, 'session-2').total()).toBe(0);
  });

  it('executes a call repeated with the same idempotency key only once', async () => {
    const object = clients.connect({ url: server.ingressUrl }).objectClient(tally, 'session-3');
    const runsBefore = sideEffects.runs;
    const opts = clients.rpc.opts<number, TallyReceipt>({ idempotencyKey: 'admission-1' });

    const first = await object.add(3, opts);
    const repeated = await object.add(3, opts);

    expect(repeated).toEqual(first);
    expect(sideEffects.runs - runsBefore).toBe(1);
    expect(await object.total()).toBe(3);
  });

  it('answers a terminal error to the caller without retrying', async () => {
    const object = clients.connect({ url: server.ingressUrl }).objectClient(tally, 'session-4');
    await expect(object.add(1.5)).rejects.toThrow(/amount must be an integer/);
    expect(await object.total()).toBe(0);
  });

  it('stops by its own process id and removes its base dir', async () => {
    const extra = await startRestate();
    expect(existsSync(extra.baseDir)).toBe(true);
    await extra.stop();
    expect(() => process.kill(extra.pid, 0)).toThrow();
    expect(existsSync(extra.baseDir)).toBe(false);
    await expect(fetch(`${extra.adminUrl}/health`)).rejects.toThrow();
  });
});
