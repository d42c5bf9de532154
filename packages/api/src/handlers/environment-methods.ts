import { isEnvironmentId, MAX_COMMAND_TIMEOUT_MS, MAX_OUTPUT_BYTES, type Environments, type JobSpec, type JobView, type UniverseEnvironments } from '@lightspeed/environments';
import { isLightspeedError } from '@lightspeed/ports';
import { invalidRequest, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import { LOCAL_PROVIDER, type EnvironmentCreateParams, type SessionJobStartSpecInput } from '../schemas/environments.js';
import { environmentView, jobArtifactsView, jobResultView, jobSummaryView } from '../views/environment-view.js';
import type { SessionAccess } from './session-access.js';

export interface EnvironmentMethodDeps {
  /** The environments of every universe (the ones `lightspeed serve` gives the task dispatcher). */
  environments: UniverseEnvironments;
  access: SessionAccess;
  /**
   * Callers may run commands outside a sandbox and pass the server's environment variables to them
   * (single-user servers). Without it (API keys) commands run only under bubblewrap, without network,
   * allow-listed variables or credentials: a remote caller never starts a command on the host itself
   * nor reads the operator's environment.
   */
  trusted: boolean;
}

const NOT_PROVIDER_MACHINERY = 'environments on this server are local sandbox directories (docs/0027-environments.md)';

const UNTRUSTED = 'API-key callers run commands only in a bubblewrap sandbox, and never get the server environment or its network';

/** What an API-key caller may not ask of an environment, by field. */
function untrustedSpecProblem(spec: { network?: boolean | null; isolation?: string | null; envAllow?: readonly string[] | null; credentials?: readonly string[] | null }): string | undefined {
  if (spec.isolation === 'none') return `isolation: ${UNTRUSTED}; leave it out (auto) or ask for bubblewrap`;
  if (spec.network === true) return `network: ${UNTRUSTED}`;
  if (spec.envAllow && spec.envAllow.length > 0) return `envAllow: ${UNTRUSTED} (its variables are the operator's)`;
  if (spec.credentials && spec.credentials.length > 0) return `credentials: ${UNTRUSTED} (its variables are the operator's)`;
  return undefined;
}

/** The library's spec from the contract's params, refusing by name what a local directory cannot honour. */
function environmentSpec(params: EnvironmentCreateParams, trusted: boolean) {
  const untrusted = trusted ? undefined : untrustedSpecProblem(params);
  if (untrusted) throw invalidRequest(untrusted);
  if (!isEnvironmentId(params.requestId)) throw invalidRequest('requestId: the environment id: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128');
  for (const field of ['bindingId', 'templateId'] as const) {
    if (params[field] !== LOCAL_PROVIDER) throw invalidRequest(`${field}: ${JSON.stringify(params[field])} does not exist; the only one is "${LOCAL_PROVIDER}" (${NOT_PROVIDER_MACHINERY})`);
  }
  if (params.idlePolicy != null) throw invalidRequest(`idlePolicy: a local environment has no power states to idle through; leave it out and close the environment with environments/close`);
  if (params.metadata && Object.keys(params.metadata).length > 0) throw invalidRequest('metadata: a local environment stores no metadata; leave it out (displayName is kept)');
  return {
    id: params.requestId,
    workspaceId: params.workspaceId,
    ...(params.sessionId != null ? { sessionId: params.sessionId } : {}),
    ...(params.displayName != null ? { displayName: params.displayName } : {}),
    ...(params.network != null ? { network: params.network } : {}),
    ...(params.isolation != null ? { isolation: params.isolation } : {}),
    ...(params.envAllow != null ? { envAllow: params.envAllow } : {}),
    ...(params.credentials != null ? { credentials: params.credentials } : {}),
  };
}

/** A job of the request as the library runs it; contract fields without a local meaning are refused by name. */
function jobSpec(job: SessionJobStartSpecInput, index: number, credentials: readonly string[]): JobSpec {
  const at = `jobs.${index}`;
  if (job.cwd != null) throw invalidRequest(`${at}.cwd: jobs run in the environment directory; use ["sh", "-c", "cd sub && …"] for another`);
  if (job.stdin != null) throw invalidRequest(`${at}.stdin: jobs get no input here; pass data in argv or a file of the workspace`);
  if (job.queueKey != null) throw invalidRequest(`${at}.queueKey: the jobs of an environment always run one at a time, in order`);
  if (job.dependsOn && job.dependsOn.length > 0) throw invalidRequest(`${at}.dependsOn: jobs run in request order, one at a time; dependencies are not served`);
  if (job.dependencyPolicy !== undefined && job.dependencyPolicy !== 'allSucceeded') throw invalidRequest(`${at}.dependencyPolicy: jobs have no dependencies here, so only the default allSucceeded is accepted`);
  if (job.timeoutMs != null && (job.timeoutMs < 1 || job.timeoutMs > MAX_COMMAND_TIMEOUT_MS)) throw invalidRequest(`${at}.timeoutMs: from 1 to ${MAX_COMMAND_TIMEOUT_MS} ms`);
  if (job.maxOutputBytes != null && (job.maxOutputBytes < 2 || job.maxOutputBytes > MAX_OUTPUT_BYTES)) throw invalidRequest(`${at}.maxOutputBytes: from 2 to ${MAX_OUTPUT_BYTES}`);
  if (job.argv.some((arg) => arg.includes('\0'))) throw invalidRequest(`${at}.argv: an argument holds NUL`);
  for (const name of Object.keys(job.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalidRequest(`${at}.env.${name}: not a variable name`);
    if (credentials.includes(name)) throw invalidRequest(`${at}.env.${name}: a credential of the environment; its value comes from the server environment`);
  }
  return {
    argv: job.argv,
    ...(job.jobId != null ? { jobId: job.jobId } : {}),
    ...(job.name != null ? { name: job.name } : {}),
    ...(job.env ? { env: job.env } : {}),
    ...(job.timeoutMs != null ? { timeoutMs: job.timeoutMs } : {}),
    ...(job.maxOutputBytes != null ? { maxOutputBytes: job.maxOutputBytes } : {}),
    ...(job.collect != null ? { collect: job.collect } : {}),
  };
}

/** Output chunks of a finished job: stdout is 0, stderr 1; `afterSeq` skips the ones already read, `outputBytes` bounds the answer. */
function outputChunks(view: JobView, afterSeq: number, outputBytes: number | undefined) {
  if (!view.result) return { chunks: [], next: afterSeq };
  let budget = outputBytes ?? Number.POSITIVE_INFINITY;
  const chunks: { seq: number; stream: 'stdout' | 'stderr'; dataBase64: string }[] = [];
  for (const [seq, stream, text] of [[0, 'stdout', view.result.stdout], [1, 'stderr', view.result.stderr]] as const) {
    if (seq < afterSeq) continue;
    const bytes = Buffer.from(text, 'utf8');
    const kept = bytes.subarray(0, Math.min(bytes.length, budget));
    budget -= kept.length;
    // A chunk cut by outputBytes is still consumed: the whole stream is in CAS (result.stdoutRef/stderrRef).
    chunks.push({ seq, stream, dataBase64: kept.toString('base64') });
  }
  return { chunks, next: Math.max(afterSeq, 2) };
}

/** One job's error entry when the environment or job does not exist; other failures fail the call. */
async function perJob<T>(handle: { environmentId: string; jobId: string }, body: () => Promise<T>): Promise<T | { handle: typeof handle; error: string }> {
  try {
    return await body();
  } catch (error) {
    if (isLightspeedError(error, 'not_found')) return { handle, error: error.message };
    throw error;
  }
}

/** environments/*, environments/jobs/*, environments/credentials/* and session/environments/*, in the caller's universe. */
export function environmentMethods({ environments, access, trusted }: EnvironmentMethodDeps): MethodHandlers {
  const of = (universe: string): Environments => environments.of(universe);
  return {
    'environments/create': async (params, { universe }) => {
      const environment = await of(universe).create(environmentSpec(params, trusted));
      return { result: { environment: environmentView(environment.status()) } };
    },
    'environments/read': async ({ environmentId }, { universe }) => ({ result: { environment: environmentView((await of(universe).require(environmentId)).status()) } }),
    'environments/list': async (params, { universe }) => {
      const foreign = [params.bindingId, params.providerId].some((id) => id != null && id !== LOCAL_PROVIDER);
      if (foreign) return { result: { environments: [] } };
      const statuses = await of(universe).list({ ...(params.originSessionId != null ? { sessionId: params.originSessionId } : {}), ...(params.workspaceId != null ? { workspaceId: params.workspaceId } : {}) });
      const views = statuses.map(environmentView).filter((view) => params.status == null || view.status === params.status);
      return { result: { environments: views } };
    },
    'environments/close': async ({ environmentId }, { universe }) => ({ result: { environment: environmentView(await of(universe).close(environmentId)) } }),

    'environments/credentials/list': async ({ environmentId }, { universe }) => {
      const environment = await of(universe).require(environmentId);
      const { spec, createdAt } = environment.current;
      const credentials = spec.credentials.map((envName) => ({ environmentId, envName, source: { type: 'directSecret' as const, secretId: `env:${envName}` }, createdAtMs: createdAt, updatedAtMs: createdAt }));
      return { result: { credentials } };
    },
    'environments/credentials/bind': async ({ environmentId, envName }, { universe }) => {
      await of(universe).require(environmentId);
      throw rejected(`environments/credentials/bind: ${envName} cannot be bound to a grant, provider credential or secret here: a local environment reads its credentials from the server environment variables named at environments/create (credentials); create an environment that names ${envName}`);
    },
    'environments/credentials/unbind': async ({ environmentId, envName }, { universe }) => {
      await of(universe).require(environmentId);
      throw rejected(`environments/credentials/unbind: the credentials of environment ${environmentId} are part of its spec; create another environment without ${envName}`);
    },

    'environments/jobs/create': async ({ environmentId, requestId, jobs }, { universe }) => {
      const environment = await of(universe).require(environmentId);
      if (!trusted) {
        // The environment may have been made by a trusted caller (the CLI, a script task's agent).
        const status = environment.status();
        const problem = untrustedSpecProblem(status.spec) ?? (status.isolated ? undefined : `${status.notice ?? 'not isolated'}: ${UNTRUSTED}`);
        if (problem) throw rejected(`environment ${environmentId} takes no jobs from this caller: ${problem}`);
      }
      const specs = jobs.map((job, index) => jobSpec(job, index, environment.current.spec.credentials));
      const views = await of(universe).jobs.start(environmentId, requestId, specs);
      return {
        result: {
          environmentId,
          jobGroupId: requestId,
          jobs: views.map(({ record }) => ({ jobId: record.jobId, handle: { environmentId, jobId: record.jobId }, status: record.status, name: record.name ?? null, dependencies: [], queueKey: null, promiseId: null })),
        },
      };
    },
    'environments/jobs/read': async ({ jobs, afterSeq, outputBytes, includeArtifacts }, { universe }) => {
      const entries = [];
      for (const handle of jobs) {
        entries.push(
          await perJob(handle, async () => {
            const view = await of(universe).jobs.read(handle.environmentId, handle.jobId);
            const { chunks, next } = outputChunks(view, afterSeq ?? 0, outputBytes ?? undefined);
            return {
              handle,
              summary: jobSummaryView(view),
              outputChunks: chunks,
              outputNextSeq: next,
              ...(view.result ? { result: jobResultView(view.result), ...(includeArtifacts ? { artifacts: jobArtifactsView(view.result) } : {}) } : {}),
            };
          }),
        );
      }
      return { result: { jobs: entries.map((entry) => ('error' in entry ? { ...entry, outputNextSeq: 0 } : entry)) } };
    },
    'environments/jobs/cancel': async ({ jobs, force, scope, reason }, { universe }) => {
      if (force === true) throw invalidRequest('force: cancel always kills the whole process group of the job; there is nothing stronger to escalate to');
      if (scope !== undefined && scope !== 'job') throw invalidRequest('scope: jobs here have no dependents; only scope "job" is accepted');
      const entries = [];
      for (const handle of jobs) {
        entries.push(await perJob(handle, async () => ({ handle, summary: jobSummaryView(await of(universe).jobs.cancel(handle.environmentId, handle.jobId, reason ?? undefined)) })));
      }
      return { result: { jobs: entries } };
    },

    'session/environments/activate': async ({ sessionId, environmentId }, { universe }) => {
      await access.read({ universe, sessionId });
      await of(universe).require(environmentId);
      throw rejected(`session/environments/activate: sessions on this server have no environment-targeted tools to select environment ${environmentId} for; an environment names its session at environments/create (sessionId, shown as originSession), and tasks and the delegate tool run in environments directly`);
    },
    'session/environments/deactivate': async ({ sessionId }, { universe }) => {
      await access.read({ universe, sessionId });
      throw rejected(`session/environments/deactivate: session ${sessionId} has no active environment: sessions on this server never select one (see session/environments/activate)`);
    },
  };
}
