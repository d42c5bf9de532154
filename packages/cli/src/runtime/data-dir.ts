import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `:memory:` keeps everything in this process (nothing survives exit). */
export const MEMORY_DATA_DIR = ':memory:';

/** `--data-dir`, else LIGHTSPEED_HOME, else `~/.lightspeed`. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (flag === MEMORY_DATA_DIR) return flag;
  if (flag) return resolve(cwd, flag);
  if (env.LIGHTSPEED_HOME) return resolve(cwd, env.LIGHTSPEED_HOME);
  return join(homedir(), '.lightspeed');
}
