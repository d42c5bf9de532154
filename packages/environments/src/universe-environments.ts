import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '@lightspeed/ports';
import type { Workspaces } from '@lightspeed/vfs';
import { Environments, type RecoverySummary } from './environments.js';

export interface UniverseEnvironmentsOptions {
  /** `<data-dir>/environments`: one directory per universe beneath it. */
  base: string;
  blobsOf: (universe: string) => BlobStore;
  workspacesOf: (universe: string) => Workspaces;
  /** Host paths hidden from isolated commands besides `base` (the data directory). */
  hidden?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** A universe's directory name: the id itself when it is a plain name, else `x-<hex>` (never a path). */
export function universeDirName(universe: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,100}$/.test(universe) ? universe : `x-${Buffer.from(universe, 'utf8').toString('hex')}`;
}

function universeOfDir(name: string): string {
  return name.startsWith('x-') ? Buffer.from(name.slice(2), 'hex').toString('utf8') : name;
}

/** One `Environments` per universe (shared by the API and the dispatcher), and recovery across all of them. */
export class UniverseEnvironments {
  private readonly byUniverse = new Map<string, Environments>();

  constructor(private readonly options: UniverseEnvironmentsOptions) {}

  of(universe: string): Environments {
    let environments = this.byUniverse.get(universe);
    if (!environments) {
      environments = new Environments({
        root: join(this.options.base, universeDirName(universe)),
        blobs: this.options.blobsOf(universe),
        workspaces: this.options.workspacesOf(universe),
        hidden: [this.options.base, ...(this.options.hidden ?? [])],
        ...(this.options.env ? { env: this.options.env } : {}),
      });
      this.byUniverse.set(universe, environments);
    }
    return environments;
  }

  /** `Environments.recover` for every universe with environments on disk (run at start, before dispatching). */
  async recoverAll(): Promise<RecoverySummary> {
    const total: RecoverySummary = { killed: [], restored: [], finished: [] };
    const names = await readdir(this.options.base).catch(() => [] as string[]);
    for (const name of names) {
      const summary = await this.of(universeOfDir(name)).recover();
      total.killed.push(...summary.killed);
      total.restored.push(...summary.restored);
      total.finished.push(...summary.finished);
    }
    return total;
  }
}

/** What the CLI prints about a recovery, or undefined when there was nothing to recover. */
export function describeRecovery(summary: RecoverySummary): string | undefined {
  const lines: string[] = [];
  for (const record of summary.killed) lines.push(`lightspeed: killed an environment command a previous run left running (process group ${record.pgid}): ${record.command}`);
  for (const one of summary.restored) lines.push(`lightspeed: environment ${one.environmentId}: command ${one.commandId} was interrupted; its directory is back at ${one.preRef}`);
  for (const one of summary.finished) lines.push(`lightspeed: environment ${one.environmentId}: command ${one.commandId} had finished; its changes were applied`);
  return lines.length > 0 ? lines.join('\n') : undefined;
}
