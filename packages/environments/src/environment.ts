import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getJson, putJson, putText } from '@lightspeed/cas';
import type { BlobRef } from '@lightspeed/engine';
import { isLightspeedError, LightspeedError, type BlobStore, type Clock } from '@lightspeed/ports';
import { CommandLedger, execCommand } from '@lightspeed/tools';
import { diffSnapshots, exportSnapshot, importDirectory, type SnapshotChange, type Workspaces } from '@lightspeed/vfs';
import { renderPatch } from './change-patch.js';
import { LineSplitter } from './line-splitter.js';
import { MAX_COMPLETED_KEPT, writeEnvironmentState, type EnvironmentSpec, type EnvironmentState } from './environment-state.js';
import { bubblewrapArgv, probeBubblewrap, type IsolationMode } from './isolation.js';
import { redactSecrets } from './redact.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
export const MAX_COMMAND_TIMEOUT_MS = 60 * 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
export const NOT_ISOLATED = 'not isolated';

/** What the environments of one universe share. */
export interface EnvironmentContext {
  blobs: BlobStore;
  workspaces: Workspaces;
  /** Host paths hidden from isolated commands (the data directory, the environments root). */
  hidden: readonly string[];
  /** Where allow-listed variables and credentials are read from, at each command. */
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

export interface CommandRequest {
  /** The program and its arguments (no shell; run `['sh', '-c', '…']` for one). */
  argv: readonly string[];
  /** Extra variables with literal values (never a credential's name: those come from the server). */
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** Bytes kept per stream (half from the start, half from the end). */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Collect the work directory into a new workspace snapshot afterwards (default true). */
  collect?: boolean;
  /** Idempotency: a command id already finished answers its recorded result without running again. */
  commandId?: string;
  /**
   * Each complete line of stdout as it is written, credentials redacted (not capped: a live
   * reader sees everything; what is stored stays capped). Not called for a recorded result.
   */
  onStdoutLine?: (line: string) => void;
}

export interface CollectedChanges {
  /** The snapshot of the work directory after the command (in CAS). */
  postRef: BlobRef;
  changes: SnapshotChange[];
  /** The unified diff (credentials redacted), `text/x-diff` in CAS. */
  patchRef: BlobRef;
  /** The workspace revision that holds `postRef`; absent when the workspace moved meanwhile (see `conflict`). */
  workspaceRevision?: number;
  /** Why the workspace was not updated (it moved since the command started). */
  conflict?: string;
}

export interface CommandResult {
  environmentId: string;
  commandId: string;
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  isolation: IsolationMode;
  /** `not isolated: <why>` when the command ran without a sandbox. */
  notice?: string;
  /** Redacted and capped. */
  stdout: string;
  stderr: string;
  stdoutRef: BlobRef;
  stderrRef: BlobRef;
  /** The workspace snapshot (and revision) the command started from. */
  preRef: BlobRef;
  preRevision: number;
  /** Absent when `collect` was false. */
  collected?: CollectedChanges;
}

export interface EnvironmentStatus {
  environmentId: string;
  spec: EnvironmentSpec;
  workDir: string;
  homeDir: string;
  isolation: IsolationMode;
  isolated: boolean;
  /** `not isolated: <why>` when commands run without a sandbox. */
  notice?: string;
  state: 'ready' | 'running' | 'closed';
  running?: { commandId: string; preRef: BlobRef; startedAt: number };
  createdAt: number;
  updatedAt: number;
}

/**
 * One environment: a work directory holding a workspace's snapshot, where commands run (inside
 * bubblewrap when it works here) and whose changes are collected back as a new snapshot. Commands
 * of one environment run one at a time, in order.
 */
export class Environment {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private state: EnvironmentState,
    private readonly ctx: EnvironmentContext,
  ) {}

  get id(): string {
    return this.state.spec.id;
  }
  get workDir(): string {
    return join(this.dir, 'work');
  }
  /** HOME for commands: writable, beside the work directory, never collected. */
  get homeDir(): string {
    return join(this.dir, 'home');
  }
  get ledger(): CommandLedger {
    return new CommandLedger(join(this.dir, 'running'));
  }

  status(): EnvironmentStatus {
    const { isolation, notice } = this.isolation();
    const { running } = this.state;
    return {
      environmentId: this.id,
      spec: this.state.spec,
      workDir: this.workDir,
      homeDir: this.homeDir,
      isolation,
      isolated: isolation === 'bubblewrap',
      ...(notice ? { notice } : {}),
      state: this.state.closed ? 'closed' : running ? 'running' : 'ready',
      ...(running ? { running: { commandId: running.commandId, preRef: running.preRef, startedAt: running.startedAt } } : {}),
      createdAt: this.state.createdAt,
      updatedAt: this.state.updatedAt,
    };
  }

  /** Runs a command (after the ones already queued) and collects its changes. */
  run(request: CommandRequest): Promise<CommandResult> {
    const next = this.queue.then(() => this.runNow(request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Writes the workspace's head into the work directory (removing what it does not hold). */
  async materialize(): Promise<{ ref: BlobRef; revision: number }> {
    const head = await this.ctx.workspaces.head(this.state.spec.workspaceId);
    await this.sync(head.headRef);
    return { ref: head.headRef, revision: head.revision };
  }

  /** @internal Replaces the state after recovery or close (the manager owns those transitions). */
  async save(mutate: (state: EnvironmentState) => EnvironmentState): Promise<void> {
    this.state = { ...mutate(this.state), updatedAt: this.ctx.clock.now() };
    await writeEnvironmentState(this.dir, this.state);
  }

  get current(): EnvironmentState {
    return this.state;
  }

  private isolation(): { isolation: IsolationMode; notice?: string; bwrap?: string } {
    const wanted = this.state.spec.isolation;
    if (wanted === 'none') return { isolation: 'none', notice: `${NOT_ISOLATED}: the environment was created with isolation none` };
    const probe = probeBubblewrap();
    if (probe.available) return { isolation: 'bubblewrap', bwrap: probe.path! };
    return { isolation: 'none', notice: `${NOT_ISOLATED}: ${probe.reason}` };
  }

  private async sync(ref: BlobRef): Promise<void> {
    if (this.state.syncedRef === ref) return;
    await mkdir(this.homeDir, { recursive: true, mode: 0o700 });
    await exportSnapshot(this.ctx.blobs, ref, this.workDir, { prune: true });
    await this.save((state) => ({ ...state, syncedRef: ref }));
  }

  private async runNow(request: CommandRequest): Promise<CommandResult> {
    if (this.state.closed) throw new LightspeedError('conflict', `environment ${this.id} is closed`, { environmentId: this.id, state: 'closed' });
    const checked = checkRequest(request);
    const commandId = request.commandId ?? `${this.ctx.clock.now()}-${Math.random().toString(36).slice(2, 10)}`;
    const done = this.state.completed.find((entry) => entry.commandId === commandId);
    if (done) return getJson<CommandResult>(this.ctx.blobs, done.resultRef);
    const { isolation, notice, bwrap } = this.isolation();
    if (isolation === 'none' && this.state.spec.isolation === 'bubblewrap') {
      throw new LightspeedError('unavailable', `environment ${this.id} requires bubblewrap, but ${notice!.slice(NOT_ISOLATED.length + 2)}`, { environmentId: this.id, field: 'isolation' });
    }
    const { env, secrets } = this.commandEnv(checked.env, isolation);

    const head = await this.ctx.workspaces.head(this.state.spec.workspaceId);
    await this.sync(head.headRef);
    // The pre-command snapshot is on disk before the command may start: a crash from here on is
    // recovered by killing what the ledger recorded and putting this snapshot back.
    await this.save((state) => ({ ...state, running: { commandId, preRef: head.headRef, preRevision: head.revision, startedAt: this.ctx.clock.now() } }));
    const onLine = request.onStdoutLine;
    const lines = onLine ? new LineSplitter((line) => onLine(redactSecrets(line, secrets))) : undefined;
    const argv = bwrap ? bubblewrapArgv(bwrap, { workDir: this.workDir, homeDir: this.homeDir, hidden: this.ctx.hidden, network: this.state.spec.network }, request.argv) : [...request.argv];
    const exec = await execCommand({
      command: request.argv.join(' '),
      argv,
      cwd: this.workDir,
      env,
      timeoutMs: checked.timeoutMs,
      maxOutputBytes: checked.maxOutputBytes,
      ...(request.signal ? { signal: request.signal } : {}),
      ledger: this.ledger,
      ...(lines ? { onStdout: (chunk: Buffer) => lines.push(chunk) } : {}),
    });
    lines?.end();
    const stdout = redactSecrets(exec.stdout, secrets);
    const stderr = redactSecrets(exec.stderr, secrets);
    const [stdoutRef, stderrRef] = await Promise.all([putText(this.ctx.blobs, stdout), putText(this.ctx.blobs, stderr)]);
    const result: CommandResult = {
      environmentId: this.id,
      commandId,
      argv: [...request.argv],
      exitCode: exec.exitCode,
      signal: exec.signal,
      timedOut: exec.timedOut,
      cancelled: exec.cancelled,
      durationMs: exec.durationMs,
      isolation,
      ...(notice ? { notice } : {}),
      stdout,
      stderr,
      stdoutRef,
      stderrRef,
      preRef: head.headRef,
      preRevision: head.revision,
    };
    if (request.collect === false) {
      const resultRef = await putJson(this.ctx.blobs, result);
      await this.finish(commandId, resultRef, undefined);
      return result;
    }
    const collected = await this.collect(head.headRef, secrets);
    result.collected = collected;
    const resultRef = await putJson(this.ctx.blobs, result);
    // Recorded before the workspace moves: a crash between the two is finished by recovery.
    await this.save((state) => ({ ...state, running: { ...state.running!, resultRef, postRef: collected.postRef } }));
    const committed = await this.commit(collected.postRef, head.revision);
    if (committed.revision !== undefined) collected.workspaceRevision = committed.revision;
    if (committed.conflict !== undefined) collected.conflict = committed.conflict;
    const finalRef = await putJson(this.ctx.blobs, result);
    await this.finish(commandId, finalRef, committed.revision !== undefined ? collected.postRef : undefined);
    return result;
  }

  /** Snapshots the work directory and diffs it against the snapshot the command started from. */
  private async collect(preRef: BlobRef, secrets: ReadonlyMap<string, string>): Promise<CollectedChanges> {
    const imported = await importDirectory(this.ctx.blobs, this.workDir);
    const changes = imported.rootRef === preRef ? [] : await diffSnapshots(this.ctx.workspaces.nodes, preRef, imported.rootRef);
    const patch = redactSecrets(await renderPatch(this.ctx.blobs, changes), secrets);
    const patchRef = await putText(this.ctx.blobs, patch, 'text/x-diff; charset=utf-8');
    return { postRef: imported.rootRef, changes, patchRef };
  }

  /**
   * Moves the workspace to `postRef` if it is still at the revision the command started from. A
   * workspace changed meanwhile is not overwritten: the snapshot stays in CAS and the result says so.
   */
  async commit(postRef: BlobRef, preRevision: number): Promise<{ revision?: number; conflict?: string }> {
    const { workspaces } = this;
    const id = this.state.spec.workspaceId;
    const head = await workspaces.head(id);
    if (head.headRef === postRef) return { revision: head.revision };
    if (head.revision !== preRevision) return { conflict: conflictMessage(id, preRevision, head.revision) };
    await workspaces.meter.measure(postRef);
    try {
      return { revision: (await workspaces.store.update(id, preRevision, postRef)).revision };
    } catch (error) {
      if (isLightspeedError(error, 'conflict')) return { conflict: conflictMessage(id, preRevision, (await workspaces.head(id)).revision) };
      throw error;
    }
  }

  private get workspaces(): Workspaces {
    return this.ctx.workspaces;
  }

  private async finish(commandId: string, resultRef: BlobRef, syncedRef: BlobRef | undefined): Promise<void> {
    await this.save((state) => {
      const { running: _, syncedRef: __, ...rest } = state;
      const completed = [...state.completed.filter((entry) => entry.commandId !== commandId), { commandId, resultRef }].slice(-MAX_COMPLETED_KEPT);
      return { ...rest, completed, ...(syncedRef ? { syncedRef } : {}) };
    });
  }

  /** The command's variables: a minimal base, the allow-list and credentials from the server, then the request's own. */
  private commandEnv(extra: Readonly<Record<string, string>>, isolation: IsolationMode): { env: Record<string, string>; secrets: Map<string, string> } {
    const source = this.ctx.env;
    const env: Record<string, string> = {
      PATH: source.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.homeDir,
      LANG: source.LANG ?? 'C.UTF-8',
      ...(isolation === 'bubblewrap' ? { TMPDIR: '/tmp' } : {}),
    };
    for (const name of this.state.spec.envAllow) if (source[name] !== undefined) env[name] = source[name];
    const secrets = new Map<string, string>();
    for (const name of this.state.spec.credentials) {
      const value = source[name];
      if (value === undefined || value === '') {
        throw new LightspeedError('invalid', `environment ${this.id} needs the credential variable ${name}, which is not set on this server`, { environmentId: this.id, envVar: name });
      }
      secrets.set(name, value);
    }
    for (const [name, value] of Object.entries(extra)) {
      if (secrets.has(name)) throw new LightspeedError('invalid', `env.${name} is a credential of environment ${this.id}; its value comes from the server`, { field: `env.${name}` });
      env[name] = value;
    }
    for (const [name, value] of secrets) env[name] = value;
    return { env, secrets };
  }
}

function conflictMessage(id: string, expected: number, actual: number): string {
  return `workspace ${id} moved from revision ${expected} to ${actual} while the command ran; its changes were kept as a snapshot but not applied`;
}

function checkRequest(request: CommandRequest): { timeoutMs: number; maxOutputBytes: number; env: Readonly<Record<string, string>> } {
  if (!Array.isArray(request.argv) || request.argv.length === 0 || request.argv.some((arg) => typeof arg !== 'string' || arg.includes('\0'))) {
    throw new LightspeedError('invalid', 'argv must be a non-empty list of strings without NUL', { field: 'argv' });
  }
  const timeoutMs = request.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_COMMAND_TIMEOUT_MS) {
    throw new LightspeedError('invalid', `timeoutMs must be a whole number of milliseconds from 1 to ${MAX_COMMAND_TIMEOUT_MS}`, { field: 'timeoutMs' });
  }
  const maxOutputBytes = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 2 || maxOutputBytes > MAX_OUTPUT_BYTES) {
    throw new LightspeedError('invalid', `maxOutputBytes must be a whole number from 2 to ${MAX_OUTPUT_BYTES}`, { field: 'maxOutputBytes' });
  }
  const env = request.env ?? {};
  for (const name of Object.keys(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new LightspeedError('invalid', `env.${name} is not a variable name`, { field: `env.${name}` });
  }
  return { timeoutMs, maxOutputBytes, env };
}
