// Runs the CLI from source (tests start it with `node --conditions=lightspeed-src --import tsx`).
import { main } from '../../src/main.js';

process.exitCode = await main(process.argv.slice(2));
