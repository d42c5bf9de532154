import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import type { RpcClient } from '../client/rpc-client.js';
import { parseDuration } from './durations.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { chunkText, environmentTable, environmentText, isolationText, jobExitCode, jobSummaryText, TERMINAL_JOB_STATUSES, type EnvironmentRow, type JobEntry } from './environment-output.js';

type ServerFlags = { apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string; config?: string };

interface CreateFlags extends ServerFlags {
  workspace: string;
  session?: string;
  name?: string;
  network?: boolean;
  isolation?: string;
  envAllow: string[];
  credential: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const LOCAL = { bindingId: 'local', templateId: 'local' };
const POLL_MS = 100;

async function readJob(client: RpcClient, environmentId: string, jobId: string, signal?: AbortSignal): Promise<JobEntry> {
  const { jobs } = await client.call<{ jobs: JobEntry[] }>('environments/jobs/read', { jobs: [{ environmentId, jobId }], includeArtifacts: true }, signal);
  const entry = jobs[0]!;
  if (entry.error) throw usageError(entry.error, `list environments with \`lightspeed environments list\``);
  return entry;
}

/** Polls the job until it ended; an interrupt cancels it (its process group is killed) and keeps waiting for the end. */
async function awaitJob(client: RpcClient, ctx: CommandContext, environmentId: string, jobId: string): Promise<JobEntry> {
  let cancelled = false;
  for (;;) {
    if (ctx.signal.aborted && !cancelled) {
      cancelled = true;
      await client.call('environments/jobs/cancel', { jobs: [{ environmentId, jobId }], reason: 'interrupted at the CLI' });
    }
    const entry = await readJob(client, environmentId, jobId);
    if (TERMINAL_JOB_STATUSES.has(entry.summary!.status)) return entry;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `lightspeed environments create|list|show|close|run|job|cancel`: local sandboxes over a workspace (docs/0027-environments.md). */
export function registerEnvironments(program: Command, ctx: CommandContext): void {
  const environments = program.command('environments').description('sandbox directories holding a VFS workspace: run commands in them, collect the changes as snapshots (docs/0027-environments.md)');

  withServerOptions(
    environments
      .command('create')
      .description('prepare an environment holding a workspace (the same id and options again answer the existing one)')
      .argument('<id>', 'the environment id (letters, digits, ., _, -)')
      .requiredOption('--workspace <id>', 'the VFS workspace it holds and updates (create one with `lightspeed vfs`)')
      .option('--session <id>', 'the session it is prepared for')
      .option('--name <text>', 'a display name')
      .option('--network', 'allow network access to commands (default: none when isolated)')
      .option('--isolation <mode>', 'auto (bubblewrap when it works here), bubblewrap (refuse without it) or none', 'auto')
      .option('--env-allow <NAME>', 'pass this server environment variable to commands (repeatable)', collect, [])
      .option('--credential <NAME>', 'pass this server environment variable as a credential, redacted from every output (repeatable)', collect, [])
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (id: string, flags: CreateFlags) => {
    if (!['auto', 'bubblewrap', 'none'].includes(flags.isolation ?? 'auto')) throw usageError(`--isolation must be auto, bubblewrap or none, got "${flags.isolation}"`);
    const params = {
      requestId: id,
      ...LOCAL,
      workspaceId: flags.workspace,
      ...(flags.session ? { sessionId: flags.session } : {}),
      ...(flags.name ? { displayName: flags.name } : {}),
      ...(flags.network ? { network: true } : {}),
      ...(flags.isolation && flags.isolation !== 'auto' ? { isolation: flags.isolation } : {}),
      ...(flags.envAllow.length > 0 ? { envAllow: flags.envAllow } : {}),
      ...(flags.credential.length > 0 ? { credentials: flags.credential } : {}),
    };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ environment: EnvironmentRow }>('environments/create', params);
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${id} ${result.environment.sandbox.state}: workspace ${flags.workspace}, ${isolationText(result.environment.sandbox)}\n`);
    });
  });

  withServerOptions(
    environments.command('list').description('the environments of the universe').option('--session <id>', 'only those prepared for this session').option('--workspace <id>', 'only those holding this workspace').option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: ServerFlags & { session?: string; workspace?: string; json?: boolean }) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ environments: EnvironmentRow[] }>('environments/list', { ...(flags.session ? { originSessionId: flags.session } : {}), ...(flags.workspace ? { workspaceId: flags.workspace } : {}) });
      if (flags.json) return writeJson(ctx, result);
      if (result.environments.length === 0) ctx.io.stderr.write('no environments\n');
      else ctx.io.stdout.write(environmentTable(result.environments));
    });
  });

  withServerOptions(environments.command('show').description('an environment: state, workspace, isolation (or why not isolated), variables').argument('<id>').option('--json', 'print the JSON-RPC result')).action(
    async (id: string, flags: ServerFlags & { json?: boolean }) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ environment: EnvironmentRow }>('environments/read', { environmentId: id });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(environmentText(result.environment));
      });
    },
  );

  withServerOptions(environments.command('close').description('remove the directory (the workspace keeps the collected changes; jobs stay readable)').argument('<id>').option('--json', 'print the JSON-RPC result')).action(
    async (id: string, flags: ServerFlags & { json?: boolean }) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ environment: EnvironmentRow }>('environments/close', { environmentId: id });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`${id} closed\n`);
      });
    },
  );

  withServerOptions(
    environments
      .command('run')
      .description('run a command in the environment and wait: its stdout and stderr, then the files it changed; exits with its exit code (Ctrl-C cancels it)')
      .argument('<id>', 'the environment')
      .argument('<argv...>', 'the command and its arguments, after `--` (no shell: use sh -c "…" for one)')
      .option('--timeout <duration>', 'kill its process group after this long (default 60s, at most 1h)')
      .option('--request-id <id>', 'the job id; running the same id again answers the recorded result (default: a new one)')
      .option('--no-collect', 'do not collect the directory into a new workspace snapshot')
      .option('--json', 'print the final jobs/read entry as JSON'),
  ).action(async (id: string, argv: string[], flags: ServerFlags & { timeout?: string; requestId?: string; collect: boolean; json?: boolean }) => {
    ctx.handlesInterrupt = true;
    const requestId = flags.requestId ?? `run-${randomUUID().slice(0, 8)}`;
    const job = { argv, ...(flags.timeout !== undefined ? { timeoutMs: parseDuration('--timeout', flags.timeout, 1) } : {}), ...(flags.collect ? {} : { collect: false }) };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const started = await client.call<{ jobs: { jobId: string }[] }>('environments/jobs/create', { environmentId: id, requestId, jobs: [job] });
      const entry = await awaitJob(client, ctx, id, started.jobs[0]!.jobId);
      ctx.exitCode = jobExitCode(entry);
      if (flags.json) return writeJson(ctx, entry);
      ctx.io.stdout.write(chunkText(entry, 'stdout'));
      ctx.io.stderr.write(chunkText(entry, 'stderr'));
      ctx.io.stderr.write(jobSummaryText(entry));
    });
  });

  withServerOptions(environments.command('job').description('a job: status, output and the files it changed').argument('<id>', 'the environment').argument('<jobId>').option('--json', 'print the jobs/read entry as JSON')).action(
    async (id: string, jobId: string, flags: ServerFlags & { json?: boolean }) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const entry = await readJob(client, id, jobId);
        if (flags.json) return writeJson(ctx, entry);
        ctx.io.stdout.write(chunkText(entry, 'stdout'));
        ctx.io.stderr.write(chunkText(entry, 'stderr'));
        ctx.io.stderr.write(jobSummaryText(entry));
      });
    },
  );

  withServerOptions(
    environments.command('cancel').description('cancel a job: a running one has its process group killed').argument('<id>', 'the environment').argument('<jobId>').option('--reason <text>', 'why (recorded as the job failure)').option('--json', 'print the JSON-RPC result'),
  ).action(async (id: string, jobId: string, flags: ServerFlags & { reason?: string; json?: boolean }) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ jobs: JobEntry[] }>('environments/jobs/cancel', { jobs: [{ environmentId: id, jobId }], ...(flags.reason ? { reason: flags.reason } : {}) });
      if (flags.json) return writeJson(ctx, result);
      const entry = result.jobs[0]!;
      if (entry.error) throw usageError(entry.error);
      ctx.io.stdout.write(`job ${jobId}: ${entry.summary!.status}${entry.summary!.failure ? ` — ${entry.summary!.failure}` : ''}\n`);
    });
  });
}
