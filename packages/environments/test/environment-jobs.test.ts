// Environment jobs (the API's environments/jobs/*) on PGlite and PostgreSQL: started at once, run
// in order, idempotent by request id, cancelled by killing the process group, and read back after
// a restart from their durable records.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environments, JobView } from '../src/index.js';
import { startEnvironmentStack, stopStorageBackends, storageBackends, type EnvironmentStack } from './support/environment-stack.js';

afterAll(stopStorageBackends);

async function settle(environments: Environments, environmentId: string, jobId: string): Promise<JobView> {
  for (let i = 0; i < 400; i++) {
    const view = await environments.jobs.read(environmentId, jobId);
    if (!['queued', 'running'].includes(view.record.status)) return view;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`job ${jobId} did not end`);
}

describe.each(storageBackends)('environment jobs on %s', (_name, backend) => {
  let stack: EnvironmentStack;
  beforeAll(async () => {
    stack = await startEnvironmentStack(await backend());
  }, 60_000);
  afterAll(async () => stack?.close());

  it('runs jobs in request order, answers a repeated request without running it, and refuses a job id of another request', async () => {
    await stack.workspace('ws-jobs', { 'log.txt': '' });
    const environments = stack.environments({ env: { PATH: process.env.PATH } });
    await environments.create({ id: 'jobs', workspaceId: 'ws-jobs' });
    const started = await environments.jobs.start('jobs', 'r1', [{ argv: ['sh', '-c', 'sleep 0.2; echo a >> log.txt'] }, { argv: ['sh', '-c', 'echo b >> log.txt; cat log.txt'] }]);
    expect(started.map((view) => [view.record.jobId, view.record.status])).toEqual([
      ['r1.1', 'queued'],
      ['r1.2', 'queued'],
    ]);
    const second = await settle(environments, 'jobs', 'r1.2');
    expect(second.record).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(second.result!.stdout).toBe('a\nb\n');
    const again = await environments.jobs.start('jobs', 'r1', [{ argv: ['false'] }, { argv: ['false'] }]);
    expect(again.map((view) => view.record.status)).toEqual(['succeeded', 'succeeded']);
    expect(await stack.readFile('ws-jobs', '/log.txt')).toBe('a\nb\n');
    await expect(environments.jobs.start('jobs', 'r2', [{ jobId: 'r1.1', argv: ['true'] }])).rejects.toMatchObject({ code: 'conflict', details: { field: 'jobs.0.jobId' } });
    await expect(environments.jobs.start('jobs', 'r3', [{ jobId: '../x', argv: ['true'] }])).rejects.toMatchObject({ code: 'invalid', details: { field: 'jobs.0.jobId' } });
    await expect(environments.jobs.read('jobs', 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a job cancelled while queued never starts; a failing command is failed with its exit code', async () => {
    await stack.workspace('ws-cancel', {});
    const environments = stack.environments({ env: { PATH: process.env.PATH } });
    await environments.create({ id: 'cancel', workspaceId: 'ws-cancel' });
    await environments.jobs.start('cancel', 'slow', [{ argv: ['sleep', '5'] }]);
    await environments.jobs.start('cancel', 'next', [{ argv: ['sh', '-c', 'touch ran'] }]);
    const queued = await environments.jobs.cancel('cancel', 'next', 'not wanted');
    expect(queued.record).toMatchObject({ status: 'cancelled', failure: 'not wanted' });
    const slow = await environments.jobs.cancel('cancel', 'slow');
    expect(slow.record).toMatchObject({ status: 'cancelled', failure: 'cancelled by request' });
    expect(slow.result!.cancelled).toBe(true);
    expect(await stack.readFile('ws-cancel', '/ran')).toBeUndefined();
    await environments.jobs.start('cancel', 'bad', [{ argv: ['sh', '-c', 'exit 7'] }]);
    expect((await settle(environments, 'cancel', 'bad')).record).toMatchObject({ status: 'failed', exitCode: 7, failure: 'exit code 7' });
  });

  it('after a restart a job record left unfinished reads as interrupted, or from the recorded result when the command had finished', async () => {
    await stack.workspace('ws-restart', {});
    const before = stack.environments({ env: { PATH: process.env.PATH } });
    const environment = await before.create({ id: 'restart', workspaceId: 'ws-restart' });
    await before.jobs.start('restart', 'done', [{ argv: ['sh', '-c', 'echo finished'] }]);
    await settle(before, 'restart', 'done');
    // As if the process died after the command was recorded but before the job record was: and one that never started.
    const file = join(environment.dir, 'jobs', 'done.json');
    const record = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...record, status: 'running', resultRef: undefined, exitCode: undefined, finishedAt: undefined }));
    await writeFile(join(environment.dir, 'jobs', 'lost.json'), JSON.stringify({ ...record, jobId: 'lost', requestId: 'lost', status: 'queued', resultRef: undefined, exitCode: undefined, finishedAt: undefined }));

    const after = stack.environments({ env: { PATH: process.env.PATH } });
    await after.recover();
    const done = await after.jobs.read('restart', 'done');
    expect(done.record).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(done.result!.stdout).toBe('finished\n');
    const lost = await after.jobs.read('restart', 'lost');
    expect(lost.record.status).toBe('interrupted');
    expect(lost.record.failure).toContain('the server stopped');
  });
});
