import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalJson } from '@lightspeed/engine';
import { LightspeedError, systemClock, type BlobStore, type Clock } from '@lightspeed/ports';
import { reapOrphanedCommands, type RunningCommandRecord } from '@lightspeed/tools';
import { exportSnapshot, type Workspaces } from '@lightspeed/vfs';
import { Environment, type EnvironmentStatus } from './environment.js';
import { EnvironmentJobs } from './environment-jobs.js';
import { isEnvironmentId, parseEnvironmentSpec, readEnvironmentState, writeEnvironmentState, type EnvironmentSpecInput } from './environment-state.js';

export interface EnvironmentsOptions {
  /** The directory of this universe's environments (`<data-dir>/environments/<universe>`). */
  root: string;
  blobs: BlobStore;
  workspaces: Workspaces;
  /** More host paths hidden from isolated commands (the data directory); the root always is. */
  hidden?: readonly string[];
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/** What `recover` did after a crash. */
export interface RecoverySummary {
  /** Process groups of commands a dead process left running, now killed. */
  killed: RunningCommandRecord[];
  /** Environments whose interrupted command was undone (work directory back at its pre-command snapshot). */
  restored: { environmentId: string; commandId: string; preRef: string }[];
  /** Environments whose interrupted command had finished and been collected: the workspace was moved as it would have been. */
  finished: { environmentId: string; commandId: string }[];
}

/**
 * The environments of one universe, each a directory under `root` with its durable state. Every
 * caller of one universe must share one instance (commands of an environment are serialised in it).
 */
export class Environments {
  private readonly root: string;
  private readonly open = new Map<string, Environment>();
  private readonly clock: Clock;
  /** Commands started now and read later (the API's `environments/jobs/*`). */
  readonly jobs: EnvironmentJobs;

  constructor(private readonly options: EnvironmentsOptions) {
    this.root = resolve(options.root);
    this.clock = options.clock ?? systemClock;
    this.jobs = new EnvironmentJobs((id) => this.require(id), options.blobs, this.clock);
  }

  get workspaces(): Workspaces {
    return this.options.workspaces;
  }
  get blobs(): BlobStore {
    return this.options.blobs;
  }

  /** Creates an environment, or answers the existing one when its spec is the same (a different one is `conflict`). */
  async create(input: EnvironmentSpecInput): Promise<Environment> {
    const spec = parseEnvironmentSpec(input);
    await this.options.workspaces.head(spec.workspaceId); // not_found before anything is written
    const existing = await this.get(spec.id);
    if (existing) {
      if (existing.current.closed) throw new LightspeedError('conflict', `environment ${spec.id} was closed; create it under another id`, { environmentId: spec.id, state: 'closed' });
      if (canonicalJson(existing.current.spec) !== canonicalJson(spec)) {
        throw new LightspeedError('conflict', `environment ${spec.id} exists with another spec`, { environmentId: spec.id, field: 'id' });
      }
      return existing;
    }
    const dir = join(this.root, spec.id);
    await mkdir(join(dir, 'work'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'home'), { recursive: true, mode: 0o700 });
    const now = this.clock.now();
    const state = { version: 1 as const, spec, createdAt: now, updatedAt: now, closed: false, completed: [] };
    await writeEnvironmentState(dir, state);
    const environment = this.environment(dir, state);
    await environment.materialize();
    return environment;
  }

  async get(id: string): Promise<Environment | undefined> {
    if (!isEnvironmentId(id)) return undefined;
    const cached = this.open.get(id);
    if (cached) return cached;
    const dir = join(this.root, id);
    const state = await readEnvironmentState(dir);
    return state ? this.environment(dir, state) : undefined;
  }

  async require(id: string): Promise<Environment> {
    const environment = await this.get(id);
    if (!environment) throw new LightspeedError('not_found', `environment ${id} does not exist`, { environmentId: id });
    return environment;
  }

  async list(filter: { sessionId?: string; workspaceId?: string } = {}): Promise<EnvironmentStatus[]> {
    const out: EnvironmentStatus[] = [];
    for (const id of (await this.ids()).sort()) {
      const environment = await this.get(id);
      if (!environment) continue;
      const { spec } = environment.current;
      if (filter.sessionId !== undefined && spec.sessionId !== filter.sessionId) continue;
      if (filter.workspaceId !== undefined && spec.workspaceId !== filter.workspaceId) continue;
      out.push(environment.status());
    }
    return out;
  }

  /** Removes the work and home directories; the state stays (closed), so results remain readable. */
  async close(id: string): Promise<EnvironmentStatus> {
    const environment = await this.require(id);
    if (environment.current.running) throw new LightspeedError('conflict', `environment ${id} is running command ${environment.current.running.commandId}`, { environmentId: id, state: 'running' });
    await rm(environment.workDir, { recursive: true, force: true });
    await rm(environment.homeDir, { recursive: true, force: true });
    await environment.save((state) => {
      const { syncedRef: _, ...rest } = state;
      return { ...rest, closed: true };
    });
    return environment.status();
  }

  /**
   * Run at start, before anything may run a command again: kills the process groups of commands a
   * dead process left running (recorded in each environment's ledger), then puts every interrupted
   * environment back at its pre-command snapshot — or, when its command had already finished and
   * been collected, finishes moving the workspace. A re-run therefore starts where the first run did.
   */
  async recover(): Promise<RecoverySummary> {
    const summary: RecoverySummary = { killed: [], restored: [], finished: [] };
    for (const id of await this.ids()) {
      const environment = await this.get(id);
      if (!environment) continue;
      const reap = await reapOrphanedCommands(environment.ledger.dir);
      summary.killed.push(...reap.killed);
      const running = environment.current.running;
      if (!running) continue;
      if ((await readdir(environment.ledger.dir).catch(() => [])).some((name) => name.endsWith('.json'))) continue; // still someone's
      if (running.resultRef && running.postRef) {
        const committed = await environment.commit(running.postRef, running.preRevision);
        await environment.save((state) => {
          const { running: _, syncedRef: __, ...rest } = state;
          return { ...rest, completed: [...state.completed, { commandId: running.commandId, resultRef: running.resultRef! }], ...(committed.revision !== undefined ? { syncedRef: running.postRef! } : {}) };
        });
        summary.finished.push({ environmentId: id, commandId: running.commandId });
        continue;
      }
      await exportSnapshot(this.options.blobs, running.preRef, environment.workDir, { prune: true });
      await environment.save((state) => {
        const { running: _, ...rest } = state;
        return { ...rest, syncedRef: running.preRef };
      });
      summary.restored.push({ environmentId: id, commandId: running.commandId, preRef: running.preRef });
    }
    return summary;
  }

  private environment(dir: string, state: Parameters<typeof writeEnvironmentState>[1]): Environment {
    const environment = new Environment(dir, state, {
      blobs: this.options.blobs,
      workspaces: this.options.workspaces,
      hidden: [this.root, ...(this.options.hidden ?? [])],
      env: this.options.env ?? process.env,
      clock: this.clock,
    });
    this.open.set(state.spec.id, environment);
    return environment;
  }

  private async ids(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true })).filter((entry) => entry.isDirectory() && isEnvironmentId(entry.name)).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}
