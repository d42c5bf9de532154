// The shared host scenario suite against a real Restate server, with PGlite as the store. Every
// scenario gets its own server (≈0.5 s): the suite reuses session ids, and a virtual object's
// Restate state must match the store it was committed with.
import '../src/polyfills.js';
import { describeHostScenarios } from '@lightspeed/testkit/host-suites';
import { openStorage } from '@lightspeed/store-sql';
import { startRestate } from '@lightspeed/testkit';
import { startRestateHost, type StartedRestateHost } from '../src/index.js';

describeHostScenarios('restate', async ({ llm, tools, retry }) => {
  const server = await startRestate();
  const storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
  const start = (port?: number) =>
    startRestateHost({ stores: storage, llm, tools, retry, adminUrl: server.adminUrl, ingressUrl: server.ingressUrl, ...(port ? { port } : {}) });
  let started: StartedRestateHost = await start();
  return {
    get host() {
      return started.host;
    },
    async restart() {
      // As a crash: the endpoint's connections drop mid-invocation; Restate retries them on the new one.
      const port = started.endpoint.port;
      await started.host.close();
      started = await start(port);
    },
    async close() {
      await started.host.close();
      await storage.close();
      await server.stop();
    },
  };
});
