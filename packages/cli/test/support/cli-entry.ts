// Runs the CLI from source (tests start it with `node --conditions=lightspeed-src --import tsx`),
// exiting the way bin/lightspeed.js does.
import { main } from '../../src/main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
