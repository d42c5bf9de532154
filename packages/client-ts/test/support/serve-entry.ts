// The `lightspeed` command from source, for tests that run it as a child process (as a user would).
import { main } from '@lightspeed/cli';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
