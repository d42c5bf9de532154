#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeProvider } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string', default: '0' },
    'first-token-delay-ms': { type: 'string', default: '0' },
    models: { type: 'string' },
    replay: { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`lightspeed-fake-provider: a scripted fake LLM server (OpenAI Responses, Chat Completions, Anthropic Messages)

  --port N                  listen port (default 4010, 0 = any free port)
  --host H                  listen address (default 127.0.0.1)
  --latency-ms N            delay between streamed events
  --first-token-delay-ms N  delay before the first event
  --models a,b              model ids served by GET /v1/models (default fake-echo,fake-reasoning)
  --replay FILE             answer the next request with this recorded response (SSE, JSON lines or a
                            JSON body; repeat for several, served in order, then scripts/echo)

OpenAI clients: baseURL http://HOST:PORT/v1   Anthropic clients: baseURL http://HOST:PORT
Replies are scripted (see the package README); it is not a real model.`);
  process.exit(0);
}

const provider = await startFakeProvider({
  port: Number(values.port),
  host: values.host,
  latencyMs: Number(values['latency-ms']),
  firstTokenDelayMs: Number(values['first-token-delay-ms']),
  ...(values.models ? { models: values.models.split(',').map((model) => model.trim()).filter(Boolean) } : {}),
});
for (const file of values.replay ?? []) provider.enqueue({ replay: readFileSync(file, 'utf8') });
console.log(`lightspeed fake provider (scripted, not a real model) listening on ${provider.url}`);
const shutdown = (): void => {
  void provider.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
