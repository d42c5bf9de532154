/** What `lightspeed environments` prints: wire shapes of environments/* (docs/0027-environments.md). */

export interface EnvironmentRow {
  environmentId: string;
  displayName?: string | null;
  status: string;
  createdAtMs: number;
  originSession?: { sessionId: string } | null;
  sandbox: { workspaceId: string; network: boolean; isolation: string; isolated: boolean; notice?: string | null; envAllow: string[]; credentials: string[]; state: string; runningCommandId?: string | null };
}

export interface JobEntry {
  handle?: { environmentId: string; jobId: string } | null;
  error?: string | null;
  summary?: { jobId: string; name?: string | null; status: string; exitCode?: number | null; failure?: string | null; createdAtMs: number; startedAtMs?: number | null; finishedAtMs?: number | null } | null;
  outputChunks?: { seq: number; stream: 'stdout' | 'stderr'; dataBase64: string }[];
  outputNextSeq: number;
  artifacts?: { path: string; kind?: string | null }[];
  result?: { durationMs: number; notice?: string | null; isolation: string; stdoutRef: string; stderrRef: string; diffRef?: string | null; snapshotRef?: string | null; workspaceRevision?: number | null; conflict?: string | null } | null;
}

export const TERMINAL_JOB_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted', 'dependencyFailed', 'lost']);

/** Where commands run: bubblewrap, or the "not isolated" notice saying why not. */
export function isolationText(sandbox: EnvironmentRow['sandbox']): string {
  return sandbox.isolated ? `isolated (${sandbox.isolation}${sandbox.network ? ', network allowed' : ', no network'})` : (sandbox.notice ?? 'not isolated');
}

export function environmentTable(rows: readonly EnvironmentRow[]): string {
  const lines = rows.map((row) => [row.environmentId, row.sandbox.state, row.sandbox.workspaceId, row.sandbox.isolated ? row.sandbox.isolation : 'not isolated', row.originSession?.sessionId ?? '-'].join('\t'));
  return `${['ID', 'STATE', 'WORKSPACE', 'ISOLATION', 'SESSION'].join('\t')}\n${lines.join('\n')}\n`;
}

export function environmentText(row: EnvironmentRow): string {
  const { sandbox } = row;
  const lines = [`environment ${row.environmentId}${row.displayName ? ` (${row.displayName})` : ''}`, `  state      ${sandbox.state}${sandbox.runningCommandId ? ` (running ${sandbox.runningCommandId})` : ''}`, `  workspace  ${sandbox.workspaceId}`, `  isolation  ${isolationText(sandbox)}`];
  if (row.originSession) lines.push(`  session    ${row.originSession.sessionId}`);
  if (sandbox.envAllow.length > 0) lines.push(`  env        ${sandbox.envAllow.join(', ')}`);
  if (sandbox.credentials.length > 0) lines.push(`  credentials ${sandbox.credentials.join(', ')} (from the server environment, redacted from outputs)`);
  lines.push(`  created    ${new Date(row.createdAtMs).toISOString()}`);
  return `${lines.join('\n')}\n`;
}

const KIND_LETTER: Record<string, string> = { added: 'A', modified: 'M', deleted: 'D' };

/** The job's end in a few lines: status, the files it changed, where the diff and snapshot are. */
export function jobSummaryText(entry: JobEntry): string {
  const summary = entry.summary!;
  const lines = [`job ${summary.jobId}: ${summary.status}${summary.exitCode != null ? ` (exit ${summary.exitCode})` : ''}${summary.failure && summary.status !== 'succeeded' ? ` — ${summary.failure}` : ''}`];
  const { result } = entry;
  if (result?.notice) lines.push(`  ${result.notice}`);
  const changes = entry.artifacts ?? [];
  if (result?.snapshotRef) {
    lines.push(changes.length === 0 ? '  no files changed' : `  ${changes.length} file${changes.length === 1 ? '' : 's'} changed:`);
    for (const change of changes) lines.push(`    ${KIND_LETTER[change.kind ?? ''] ?? '?'} ${change.path}`);
    if (changes.length > 0 && result.diffRef) lines.push(`  diff       ${result.diffRef} (lightspeed blobs read ${result.diffRef})`);
    if (result.workspaceRevision != null) lines.push(`  workspace  revision ${result.workspaceRevision} (${result.snapshotRef})`);
    if (result.conflict) lines.push(`  not applied: ${result.conflict}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The exit code `environments run` ends with: the command's own, else 124 for a timeout, 130 cancelled, 1 otherwise. */
export function jobExitCode(entry: JobEntry): number {
  const summary = entry.summary!;
  if (summary.status === 'succeeded') return 0;
  if (summary.status === 'timedOut') return 124;
  if (summary.status === 'cancelled') return 130;
  return summary.exitCode != null && summary.exitCode > 0 ? Math.min(summary.exitCode, 255) : 1;
}

export function chunkText(entry: JobEntry, stream: 'stdout' | 'stderr'): string {
  return (entry.outputChunks ?? []).filter((chunk) => chunk.stream === stream).map((chunk) => Buffer.from(chunk.dataBase64, 'base64').toString('utf8')).join('');
}
