import { execFileSync } from 'node:child_process';

export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/** Accounts tried, in order, when the tests run as root (PostgreSQL refuses to run as root). */
const CANDIDATES = ['lightspeed-test', 'postgres'];

function lookup(name: string): ServerUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The unprivileged account a test server process runs as. `undefined` means "as the current
 * user" (we are not root). As root: `LIGHTSPEED_TEST_SERVER_USER`, else `lightspeed-test`, else
 * `postgres` (created by Debian's postgresql package).
 */
export function serverUser(env: NodeJS.ProcessEnv = process.env): ServerUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const names = env.LIGHTSPEED_TEST_SERVER_USER ? [env.LIGHTSPEED_TEST_SERVER_USER] : CANDIDATES;
  for (const name of names) {
    const user = lookup(name);
    if (user && user.uid !== 0) return user;
  }
  throw new Error(
    `running as root and none of the accounts ${names.join(', ')} exists to run the test server as; run \`bash scripts/setup.d/postgres.sh\` (it creates \`lightspeed-test\`) or set LIGHTSPEED_TEST_SERVER_USER`,
  );
}
