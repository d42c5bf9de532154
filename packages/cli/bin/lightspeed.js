#!/usr/bin/env node
// A committed shim (not generated) so npm can link the bin on a fresh clone before `tsc -b` has run.

// `lightspeed … | head`: a reader that went away is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('lightspeed: the CLI is not built yet\n  hint: run `npm run build` (npm install does it through the prepare script)\n');
  process.exit(2);
}

const code = await main(process.argv.slice(2));
// Exit once output is flushed: a cancelled provider call or a keep-alive socket must not keep the CLI alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
