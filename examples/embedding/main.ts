// Lightspeed embedded in a Node program: one harness in this process, a custom tool written in
// TypeScript, a session started from an agent file, its events and token deltas followed live.
//
//   node --import tsx examples/embedding/main.ts                                  (after npm run build)
//   node --conditions=lightspeed-src --import tsx examples/embedding/main.ts      (from the sources)
//
// It uses the scripted fake provider (no API key, not a real model): the message `use get_weather
// {...}` makes it call the tool, then it summarises the tool's result.
import { fileURLToPath } from 'node:url';
import { createHarness, defineCustomTool } from '@lightspeed/harness';
import { z } from 'zod';

const getWeather = defineCustomTool({
  name: 'get_weather',
  description: 'The current weather in a city.',
  input: z.object({ city: z.string().min(1).describe('City name, e.g. Paris'), unit: z.enum(['celsius', 'fahrenheit']).default('celsius') }),
  parallelSafe: true,
  async handler({ city, unit }, { callId }) {
    console.log(`tool: get_weather(${city}, ${unit}) call ${callId}`);
    const celsius = 21;
    return { city, sky: 'sunny', temperature: unit === 'celsius' ? celsius : Math.round((celsius * 9) / 5 + 32), unit };
  },
});

const harness = await createHarness({
  provider: 'fake',
  customTools: [getWeather],
  agentsDir: fileURLToPath(new URL('./agents', import.meta.url)),
});
try {
  const session = await harness.startSession({ agent: 'forecaster' });
  console.log(`session: ${session.id}`);

  // Every durable event of the session, as any v1 client would see it.
  const eventTypes = new Set<string>();
  const subscription = await session.subscribe({ onEvent: (event) => eventTypes.add(event.kind?.type) });

  let streamed = '';
  const result = await session.send('use get_weather {"city":"Paris"}', {
    text: (delta) => (streamed += delta),
    toolCall: (call) => console.log(`model called: ${call.name} ${call.argsPreview}`),
    toolResult: (done) => console.log(`tool result: ${done.name} ${done.status}`),
  });

  console.log(`status: ${result.status}`);
  console.log(`tool output: ${result.tools[0]?.output ?? '(none)'}`);
  console.log(`streamed ${streamed.length} characters`);
  console.log(`answer: ${result.answer}`);
  subscription.close();
  await subscription.done;
  console.log(`events: ${[...eventTypes].join(' ')}`);
} finally {
  await harness.close();
}
