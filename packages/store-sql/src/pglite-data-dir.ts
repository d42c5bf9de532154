// PGlite initialises a new data directory in place (its initdb takes a second or so). A process
// killed during that leaves a directory that has PG_VERSION but is incomplete, and every later open
// of it dies with a bare `RuntimeError: Aborted()` (electric-sql/pglite#884, #794). So a new data
// directory is initialised beside its final path and renamed into place only after PGlite closed it
// cleanly: a crash leaves either no directory or a complete one.
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { diskFullError, isNearlyFull } from '@lightspeed/cas';
import { isDiskFullFailure, LightspeedError } from '@lightspeed/ports';
import { processAlive } from '@lightspeed/process-table';

const INIT_MARKER = '.initializing-';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes initialisation directories left beside `dataDir` by processes that died while initialising. */
async function removeAbandonedInits(dataDir: string): Promise<void> {
  const prefix = `${basename(dataDir)}${INIT_MARKER}`;
  for (const name of await readdir(dirname(dataDir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      await rm(join(dirname(dataDir), name), { recursive: true, force: true });
    }
  }
}

/** Makes the rename durable: the parent directory's entry is what a crash would otherwise lose. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * What a PGlite failure on `dataDir` means. PGlite reports a full disk as SQLSTATE 53100 when a
 * statement fails cleanly, but when the failed write is one the backend cannot survive (initdb,
 * WAL, shutdown checkpoint) its WASM aborts with a bare `RuntimeError: Aborted()` or throws a
 * number (`Infinity`), with no errno. Those, on a file system that is nearly full, are the disk.
 */
export function pgliteFailure(dataDir: string, error: unknown): unknown {
  if (isDiskFullFailure(error)) return diskFullError(dataDir, error);
  const isStatementError = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
  if (!isStatementError && !dataDir.includes('://') && isNearlyFull(dataDir)) return diskFullError(dataDir, error);
  if (!(error instanceof Error)) {
    return new LightspeedError('internal', `PGlite failed on ${dataDir} without an error (it threw ${String(error)}); run again with --debug and report it`, {
      thrown: String(error),
    });
  }
  return error;
}

/**
 * Ensures `dataDir` is a complete PGlite data directory, initialising a new one atomically. An
 * existing directory that is neither empty nor a data directory is refused (it is someone else's,
 * or a half-initialised one from before this guard): opening it would abort.
 */
export async function preparePgliteDataDir(dataDir: string): Promise<void> {
  if (await exists(join(dataDir, 'PG_VERSION'))) return;
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  if (await exists(dataDir)) {
    const entries = await readdir(dataDir);
    if (entries.length > 0) {
      throw new LightspeedError(
        'corrupt',
        `${dataDir} is not an empty directory and not a PGlite data directory (no PG_VERSION): it may be a data directory whose first initialisation was interrupted; move it away and start again`,
      );
    }
  }
  await removeAbandonedInits(dataDir);
  const staging = `${dataDir}${INIT_MARKER}${process.pid}-${Date.now()}`;
  try {
    try {
      const db = await PGlite.create(staging);
      await db.close();
    } catch (error) {
      // Judged before the finally below removes the staging copy and frees its space again.
      throw pgliteFailure(dataDir, error);
    }
    try {
      // Replaces an empty directory; fails if another process finished initialising first.
      await rename(staging, dataDir);
    } catch (error) {
      if (!(await exists(join(dataDir, 'PG_VERSION')))) throw error;
    }
    await syncDirectory(parent);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
