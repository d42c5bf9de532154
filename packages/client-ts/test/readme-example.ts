import { LightspeedClient, NotFoundError } from '@lightspeed/client';

const client = new LightspeedClient({
  baseUrl: process.env.LIGHTSPEED_API_URL ?? 'http://127.0.0.1:7420',
  apiKey: process.env.LIGHTSPEED_API_KEY, // required by a server started with --api-keys
  timeoutMs: 30_000,
});

const { session } = await client.session.start({ config: {} });

// Subscribe first, so not a token of the run is missed; the follower resumes if the stream drops.
const follower = await client.follow(session.id);
const printing = (async () => {
  for await (const message of follower) {
    if (message.event === 'delta' && message.data.delta.type === 'text') process.stdout.write(message.data.delta.text);
  }
})();

const { run } = await client.session.runs.start({
  sessionId: session.id,
  source: { type: 'input', items: [{ type: 'text', text: 'hello from the client' }] },
});
const finished = await client.awaitRun(session.id, run.id, { timeoutMs: 60_000 });
follower.close();
await printing;

const answer = finished.entries.findLast((entry) => entry.kind.type === 'message' && entry.kind.role === 'assistant');
console.log(`\nrun ${finished.status}: ${answer?.text ?? answer?.preview}`);

try {
  await client.session.read({ sessionId: 'no-such-session' });
} catch (error) {
  if (!(error instanceof NotFoundError)) throw error;
  console.log(`${error.kind} (${error.code}): ${error.serverMessage}`);
}
