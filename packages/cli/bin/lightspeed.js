#!/usr/bin/env node
// A committed shim (not generated) so npm can link the bin on a fresh clone before `tsc -b` has run.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
