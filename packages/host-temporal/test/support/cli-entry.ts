// Runs the real `lightspeed` CLI from source in a child process (the way bin/lightspeed.js exits).
import { main } from '@lightspeed/cli';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
