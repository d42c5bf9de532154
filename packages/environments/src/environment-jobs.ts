import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getJson, putJson } from '@lightspeed/cas';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore, type Clock } from '@lightspeed/ports';
import { writeDurably } from '@lightspeed/tools';
import { z } from 'zod';
import type { CommandResult, Environment } from './environment.js';
import { isEnvironmentId } from './environment-state.js';

/*
 * Jobs: commands started now and read later (the v1 contract's `environments/jobs/*`). A job is
 * one `Environment.run` whose command id is `job:<jobId>`, so a job re-requested after it finished
 * is answered from its recorded result, never run twice. Each job has a durable record
 * (`<environment>/jobs/<jobId>.json`) written when it is accepted and when it ends; a record a
 * previous process left unfinished reads as `interrupted` (`recover` put the directory back).
 */

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted']);

export interface JobSpec {
  /** Defaults to the request id (one job) or `<requestId>.<n>`. */
  jobId?: string;
  name?: string;
  argv: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  maxOutputBytes?: number;
  collect?: boolean;
}

const recordSchema = z.object({
  version: z.literal(1),
  environmentId: z.string(),
  jobId: z.string(),
  requestId: z.string(),
  name: z.string().optional(),
  argv: z.array(z.string()),
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().optional(),
  maxOutputBytes: z.number().optional(),
  collect: z.boolean().optional(),
  status: z.enum(JOB_STATUSES),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  exitCode: z.number().nullable().optional(),
  /** Why the job did not succeed (exit code, signal, timeout, the cancel reason, an error). */
  failure: z.string().optional(),
  resultRef: z.string().optional(),
});
export type JobRecord = z.infer<typeof recordSchema>;

export interface JobView {
  record: JobRecord;
  /** The recorded command result, once the job ran to its end. */
  result?: CommandResult;
}

interface LiveJob {
  controller: AbortController;
  done: Promise<JobRecord>;
  /** Set when its command was handed to the environment (until then a cancel ends it at once). */
  started: boolean;
  queued: JobRecord;
  cancelReason?: string;
}

/** The jobs of one universe's environments (one instance per `Environments`). */
export class EnvironmentJobs {
  private readonly live = new Map<string, LiveJob>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly environment: (id: string) => Promise<Environment>,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the jobs and starts them in order (after the environment's earlier jobs); answers at
   * once. Idempotent by `requestId`: the same request answers the jobs it started.
   */
  async start(environmentId: string, requestId: string, specs: readonly JobSpec[]): Promise<JobView[]> {
    const environment = await this.environment(environmentId);
    if (specs.length === 0) throw new LightspeedError('invalid', 'jobs must hold at least one job', { field: 'jobs' });
    const ids = specs.map((spec, index) => spec.jobId ?? (specs.length === 1 ? requestId : `${requestId}.${index + 1}`));
    ids.forEach((id, index) => {
      if (!isEnvironmentId(id)) throw new LightspeedError('invalid', `jobs.${index}.jobId: letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit, at most 128 (a default job id is the requestId)`, { field: `jobs.${index}.jobId` });
      if (ids.indexOf(id) !== index) throw new LightspeedError('invalid', `jobs.${index}.jobId: ${id} appears twice in the request`, { field: `jobs.${index}.jobId` });
    });
    const records: JobRecord[] = [];
    const fresh: JobRecord[] = [];
    for (const [index, spec] of specs.entries()) {
      const jobId = ids[index]!;
      const existing = await this.readRecord(environment, jobId);
      if (existing) {
        if (existing.requestId !== requestId) throw new LightspeedError('conflict', `job ${jobId} of environment ${environmentId} belongs to request ${existing.requestId}`, { field: `jobs.${index}.jobId` });
        records.push(existing);
        continue;
      }
      if (environment.current.closed) throw new LightspeedError('conflict', `environment ${environmentId} is closed`, { environmentId, state: 'closed' });
      const record: JobRecord = {
        version: 1,
        environmentId,
        jobId,
        requestId,
        ...(spec.name !== undefined ? { name: spec.name } : {}),
        argv: [...spec.argv],
        ...(spec.env !== undefined ? { env: spec.env } : {}),
        ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
        ...(spec.maxOutputBytes !== undefined ? { maxOutputBytes: spec.maxOutputBytes } : {}),
        ...(spec.collect !== undefined ? { collect: spec.collect } : {}),
        status: 'queued',
        createdAt: this.clock.now(),
      };
      records.push(record);
      fresh.push(record);
    }
    for (const record of fresh) {
      await this.writeRecord(environment, record);
      this.launch(environment, record);
    }
    return Promise.all(records.map((record) => this.view(environment, record)));
  }

  /** The job's record and, once it ended, its result. */
  async read(environmentId: string, jobId: string): Promise<JobView> {
    const environment = await this.environment(environmentId);
    return this.view(environment, await this.requireRecord(environment, jobId));
  }

  /**
   * A record left unfinished by a previous process: answered from the environment's recorded
   * result when the command had finished (recovery applied it), else `interrupted`.
   */
  private async view(environment: Environment, record: JobRecord): Promise<JobView> {
    if (!TERMINAL.has(record.status) && !this.live.has(key(record.environmentId, record.jobId))) {
      const done = environment.current.completed.find((entry) => entry.commandId === `job:${record.jobId}`);
      if (!done) return { record: { ...record, status: 'interrupted', failure: 'the server stopped while the job was queued or running; its directory was put back at the pre-command snapshot' } };
      const result = await getJson<CommandResult>(this.blobs, done.resultRef);
      const { status, failure } = outcomeOf(result);
      return { record: { ...record, status, exitCode: result.exitCode, ...(failure ? { failure } : {}), resultRef: done.resultRef }, result };
    }
    return record.resultRef ? { record, result: await getJson<CommandResult>(this.blobs, record.resultRef as BlobRef) } : { record };
  }

  /** Cancels a queued or running job (its process group is killed) and answers once it ended. A finished job is answered as it is. */
  async cancel(environmentId: string, jobId: string, reason = 'cancelled by request'): Promise<JobView> {
    const live = this.live.get(key(environmentId, jobId));
    if (live) {
      live.cancelReason ??= reason;
      live.controller.abort(new Error(reason));
      // A queued job ends now, not after the jobs ahead of it; its turn then only skips it.
      if (!live.started) await this.end(await this.environment(environmentId), cancelledRecord(live.queued, reason, this.clock.now()));
      else await live.done;
    }
    return this.read(environmentId, jobId);
  }

  private launch(environment: Environment, record: JobRecord): void {
    const controller = new AbortController();
    const id = key(record.environmentId, record.jobId);
    const live: LiveJob = { controller, done: Promise.resolve(record), started: false, queued: record };
    const previous = this.chains.get(record.environmentId) ?? Promise.resolve();
    live.done = previous.then(() => this.execute(environment, record, live)).finally(() => this.live.delete(id));
    this.chains.set(record.environmentId, live.done.catch(() => undefined));
    this.live.set(id, live);
  }

  private async execute(environment: Environment, queued: JobRecord, live: LiveJob): Promise<JobRecord> {
    if (live.controller.signal.aborted) return cancelledRecord(queued, live.cancelReason ?? 'cancelled', this.clock.now()); // recorded by cancel
    live.started = true;
    const running: JobRecord = { ...queued, status: 'running', startedAt: this.clock.now() };
    await this.writeRecord(environment, running);
    try {
      const result = await environment.run({
        argv: running.argv,
        commandId: `job:${running.jobId}`,
        signal: live.controller.signal,
        ...(running.env ? { env: running.env } : {}),
        ...(running.timeoutMs !== undefined ? { timeoutMs: running.timeoutMs } : {}),
        ...(running.maxOutputBytes !== undefined ? { maxOutputBytes: running.maxOutputBytes } : {}),
        ...(running.collect !== undefined ? { collect: running.collect } : {}),
      });
      const resultRef = await putJson(this.blobs, result);
      const { status, failure } = outcomeOf(result, live.cancelReason);
      return this.end(environment, { ...running, status, exitCode: result.exitCode, ...(failure ? { failure } : {}), resultRef, finishedAt: this.clock.now() });
    } catch (error) {
      return this.end(environment, { ...running, status: 'failed', failure: (error as Error).message, finishedAt: this.clock.now() });
    }
  }

  private async end(environment: Environment, record: JobRecord): Promise<JobRecord> {
    await this.writeRecord(environment, record);
    return record;
  }

  private async requireRecord(environment: Environment, jobId: string): Promise<JobRecord> {
    const record = isEnvironmentId(jobId) ? await this.readRecord(environment, jobId) : undefined;
    if (!record) throw new LightspeedError('not_found', `environment ${environment.id} has no job ${jobId}`, { environmentId: environment.id, jobId });
    return record;
  }

  private async readRecord(environment: Environment, jobId: string): Promise<JobRecord | undefined> {
    let text: string;
    try {
      text = await readFile(join(environment.dir, 'jobs', `${jobId}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = recordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new LightspeedError('corrupt', `the record of job ${jobId} of environment ${environment.id} is unreadable`, { environmentId: environment.id, jobId });
    return parsed.data;
  }

  private async writeRecord(environment: Environment, record: JobRecord): Promise<void> {
    const dir = join(environment.dir, 'jobs');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeDurably(dir, `${record.jobId}.json`, `${JSON.stringify(record)}\n`);
  }
}

function cancelledRecord(queued: JobRecord, reason: string, now: number): JobRecord {
  return { ...queued, status: 'cancelled', failure: reason, finishedAt: now };
}

function key(environmentId: string, jobId: string): string {
  return `${environmentId}\u0000${jobId}`;
}

/** A finished command's job status: cancelled and timed out before the exit code, which then decides. */
export function outcomeOf(result: CommandResult, cancelReason?: string): { status: JobStatus; failure?: string } {
  if (result.cancelled) return { status: 'cancelled', failure: cancelReason ?? 'cancelled' };
  if (result.timedOut) return { status: 'timedOut', failure: `timed out after ${result.durationMs} ms; its process group was killed` };
  if (result.exitCode === 0) return { status: 'succeeded' };
  if (result.exitCode !== null) return { status: 'failed', failure: `exit code ${result.exitCode}` };
  return { status: 'failed', failure: `killed by ${result.signal ?? 'a signal'}` };
}
