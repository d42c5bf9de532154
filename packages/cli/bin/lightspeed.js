#!/usr/bin/env node
// A committed shim (not generated) so npm can link the bin on a fresh clone before `tsc -b` has run.
import { main } from '../dist/main.js';

const code = await main(process.argv.slice(2));
// Exit once output is flushed: a cancelled provider call or a keep-alive socket must not keep the CLI alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
