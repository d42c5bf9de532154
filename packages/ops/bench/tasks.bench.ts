// npm run bench:tasks — the task queue and its dispatcher on this machine. Last line (parsed by tooling):
// tasks: claim_per_s_pglite=<n> claim_per_s_postgres=<n> pgboss_claim_per_s_postgres=<n> enqueue_to_run_ms_p50=<ms> fairness_ratio=<x>
//
// The queue figures (claims against pg-boss, fairness) are measured by queue-throughput.ts, the
// dispatch latency (tasks/create → the agent run started, embedded host on PGlite) by
// enqueue-to-run.ts; each file says what exactly it times. This entry lives in the ops package
// because it needs the dispatcher, which the store package sits below.
import { enqueueToRun } from './enqueue-to-run.js';
import { queueFigures } from './queue-throughput.js';

const queue = await queueFigures();
const dispatch = await enqueueToRun({ samples: Number(process.env.BENCH_DISPATCH_SAMPLES ?? 200) });
const { create, claim, open, submit } = dispatch.phases;
console.log(
  `enqueue → run started (embedded, PGlite on disk, ${dispatch.samples} tasks one at a time): p50 ${dispatch.p50.toFixed(1)} ms, p90 ${dispatch.p90.toFixed(1)} ms; ` +
    `median ms after tasks/create was called: it answered ${create.toFixed(1)}, claim answered ${claim.toFixed(1)}, session open ${open.toFixed(1)}, run submitted ${submit.toFixed(1)}`,
);
console.log(
  `tasks: claim_per_s_pglite=${Math.round(queue.claimPerSecPglite)} claim_per_s_postgres=${Math.round(queue.claimPerSecPostgres)} pgboss_claim_per_s_postgres=${Math.round(queue.pgbossClaimPerSecPostgres)} enqueue_to_run_ms_p50=${dispatch.p50.toFixed(1)} fairness_ratio=${queue.fairnessRatio.toFixed(2)}`,
);
