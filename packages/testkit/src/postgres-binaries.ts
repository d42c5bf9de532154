import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

const INSTALL_HINT =
  'install the PostgreSQL server (run `bash scripts/setup.d/postgres.sh`, i.e. `apt-get install postgresql`) or point LIGHTSPEED_PG_BIN at the directory holding initdb and postgres';

/**
 * Finds the server binaries: `LIGHTSPEED_PG_BIN` if set (and nothing else), otherwise Debian's versioned
 * `/usr/lib/postgresql/<major>/bin` (newest first; Debian keeps them off PATH), then PATH.
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  // An explicit directory is the only place looked at: a wrong override must not be papered over.
  const candidates: string[] = env.LIGHTSPEED_PG_BIN ? [env.LIGHTSPEED_PG_BIN] : [];
  const debianRoot = '/usr/lib/postgresql';
  if (!env.LIGHTSPEED_PG_BIN && existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) candidates.push(join(debianRoot, major, 'bin'));
  }
  if (!env.LIGHTSPEED_PG_BIN) for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(dir);
  for (const dir of candidates) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  if (env.LIGHTSPEED_PG_BIN) throw new Error(`PostgreSQL server binaries not found in LIGHTSPEED_PG_BIN=${env.LIGHTSPEED_PG_BIN}; ${INSTALL_HINT}`);
  throw new Error(`PostgreSQL server binaries (initdb, postgres) not found; ${INSTALL_HINT}`);
}
