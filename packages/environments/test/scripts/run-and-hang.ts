// Child process of the crash test: runs one long command in an existing environment and is
// SIGKILLed by the test while it runs. Args: PostgreSQL URL, environments root, environment id, marker.
import { openStorage } from '@lightspeed/store-sql';
import { Workspaces } from '@lightspeed/vfs';
import { Environments } from '../../src/index.js';
import { UNIVERSE } from '../support/environment-stack.js';

const [url, root, id, marker] = process.argv.slice(2) as [string, string, string, string];
const storage = await openStorage({ kind: 'postgres', url });
const blobs = storage.blobs(UNIVERSE);
const environments = new Environments({ root, blobs, workspaces: new Workspaces(storage.workspaces(UNIVERSE), blobs) });
const environment = await environments.require(id);
process.stdout.write('ready\n');
await environment.run({ argv: ['sh', '-c', `echo partial > partial.txt; sleep 3${marker} & sh -c "sleep 4${marker}" & wait`], timeoutMs: 120_000, commandId: 'hang' });
