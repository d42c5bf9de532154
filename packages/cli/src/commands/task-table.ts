import { relative } from './durations.js';

/** The fields of a task the CLI shows (a TaskView, or the smaller task of a task event). */
export interface TaskRow {
  taskId: string;
  kind: string;
  agent: string;
  state: string;
  subject?: string | null;
  attempts: number;
  maxAttempts: number;
  availableAtMs: number;
  cancelRequested: boolean;
  updatedAtMs: number;
  lastError?: { class: string; message: string } | null;
}

const COLUMNS = ['ID', 'STATE', 'AGENT', 'KIND', 'SUBJECT', 'ATTEMPTS', 'WHEN'] as const;

/** What the WHEN column says: the next attempt for a waiting task, else when it last changed. */
function when(task: TaskRow, now: number): string {
  if (task.state === 'scheduled') return `next ${relative(task.availableAtMs, now)}`;
  return relative(task.updatedAtMs, now);
}

function cells(task: TaskRow, now: number): string[] {
  const state = task.cancelRequested && task.state === 'running' ? 'running (cancelling)' : task.state;
  const error = task.lastError && task.state !== 'succeeded' ? ` [${task.lastError.class}]` : '';
  return [task.taskId, `${state}${error}`, task.agent, task.kind, task.subject ?? '', `${task.attempts}/${task.maxAttempts}`, when(task, now)];
}

/** Tasks as an aligned table with a header line (no trailing spaces). */
export function taskTable(tasks: readonly TaskRow[], now: number): string {
  const rows = [Array.from(COLUMNS), ...tasks.map((task) => cells(task, now))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
