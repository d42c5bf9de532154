import { describeHostScenarios } from '@lightspeed/testkit/host-suites';
import { EmbeddedHost, memoryStores } from '../src/index.js';

describeHostScenarios('embedded', async ({ llm, tools, retry }) => {
  const stores = memoryStores();
  let host = await EmbeddedHost.start({ stores, llm, tools, retry });
  return {
    get host() {
      return host;
    },
    async restart() {
      await host.close();
      host = await EmbeddedHost.start({ stores, llm, tools, retry });
    },
    async close() {
      await host.close();
    },
  };
});
