import { defineTool, objectSchema, type ProviderTool } from '../surfaces/provider-tool.js';
import type { LogicalTool, ToolResult } from '../tool-definition.js';
import { field, ToolInputError } from '../tool-input.js';

/*
 * Tools that park the run on a durable promise instead of doing work: `sleep` and `wait_until` (a
 * timer the host fires at the deadline, on every engine) and `ask_user` (a question a person
 * answers through `session/waits/resolve`). Nothing runs and nothing polls while they wait.
 * The same names serve every provider family: no model is trained on other shapes for them.
 */

/** The longest wait a timer tool may set: a month. Longer plans belong in a schedule. */
export const MAX_WAIT_MS = 30 * 24 * 60 * 60 * 1000;
export const MAX_QUESTION_CHARS = 4000;
export const MAX_CHOICES = 20;
export const MAX_CHOICE_CHARS = 200;

/** Which wait tools a session has (`features.timers`, and the Lightspeed extension `features.askUser`). */
export interface WaitGroups {
  timers: boolean;
  askUser: boolean;
}

/** The detail of a question, stored in CAS as the wait's `detailRef`. */
export interface QuestionDetail {
  question: string;
  choices?: string[];
}

interface TimerArgs {
  /** Milliseconds from now (sleep) or an absolute time in ms (wait_until). */
  delayMs?: number;
  at?: number;
  reason?: string;
}

const timerTool: LogicalTool<TimerArgs> = {
  logical: 'wait.timer',
  parallelism: 'parallelSafe',
  async run(args): Promise<ToolResult> {
    const now = Date.now();
    const deadline = args.at ?? now + (args.delayMs ?? 0);
    if (deadline <= now) throw new ToolInputError('`time` must be in the future');
    if (deadline - now > MAX_WAIT_MS) throw new ToolInputError(`a wait may last at most ${MAX_WAIT_MS / 86_400_000} days`);
    const until = new Date(deadline).toISOString();
    return { isError: false, defer: { deadline, wait: { kind: 'timer', preview: args.reason ? `until ${until}: ${args.reason}` : `until ${until}` } } };
  },
};

interface AskArgs extends QuestionDetail {
  timeoutMs?: number;
}

const askTool: LogicalTool<AskArgs> = {
  logical: 'wait.ask_user',
  // A question blocks on a person: asking two at once in one batch is fine, they are independent.
  parallelism: 'parallelSafe',
  async run(args): Promise<ToolResult> {
    const detail: QuestionDetail = args.choices ? { question: args.question, choices: args.choices } : { question: args.question };
    const defer: NonNullable<ToolResult['defer']> = { wait: { kind: 'question', preview: args.question, detail } };
    if (args.timeoutMs !== undefined) defer.deadline = Date.now() + args.timeoutMs;
    return { isError: false, defer };
  },
};

const sleepTool = defineTool({
  name: 'sleep',
  description: 'Pauses this task for a number of seconds (durably: it survives restarts and costs nothing while waiting), then continues. Use it to wait for something outside to happen.',
  inputSchema: objectSchema(
    {
      seconds: { type: 'integer', minimum: 1, maximum: MAX_WAIT_MS / 1000, description: 'How long to wait, in seconds.' },
      reason: { type: 'string', description: 'What you are waiting for (shown to people watching).' },
    },
    ['seconds'],
  ),
  tool: timerTool,
  parse: (a) => {
    const seconds = field.optionalInt(a, 'seconds', 1, MAX_WAIT_MS / 1000);
    if (seconds === undefined) throw new ToolInputError('`seconds` is required');
    return { delayMs: seconds * 1000, ...reasonOf(a) };
  },
});

const waitUntilTool = defineTool({
  name: 'wait_until',
  description: 'Pauses this task until a given time (ISO 8601 with a time zone, e.g. 2026-12-24T09:00:00Z), durably, then continues.',
  inputSchema: objectSchema(
    {
      time: { type: 'string', description: 'When to continue: an ISO 8601 date-time with a zone offset or Z.' },
      reason: { type: 'string', description: 'What you are waiting for (shown to people watching).' },
    },
    ['time'],
  ),
  tool: timerTool,
  parse: (a) => {
    const text = field.string(a, 'time');
    // A zone is required: a bare local time would mean different instants on different hosts.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) throw new ToolInputError('`time` must be an ISO 8601 date-time with a zone, e.g. 2026-12-24T09:00:00Z');
    const at = Date.parse(text);
    if (!Number.isFinite(at)) throw new ToolInputError('`time` is not a valid date-time');
    return { at, ...reasonOf(a) };
  },
});

const askUserTool = defineTool({
  name: 'ask_user',
  description:
    'Asks the user a question and waits for the answer (it may take minutes or days; the task resumes when they reply). Ask only what you cannot find out yourself; offer choices when the answer is one of a few.',
  inputSchema: objectSchema(
    {
      question: { type: 'string', description: 'The question, self-contained: the user may read it much later.' },
      choices: { type: 'array', items: { type: 'string' }, description: 'Answers to choose from, if the answer is one of a few.' },
      timeout_seconds: { type: 'integer', minimum: 1, maximum: MAX_WAIT_MS / 1000, description: 'Give up waiting after this long (default: wait until answered).' },
    },
    ['question'],
  ),
  tool: askTool,
  parse: (a) => {
    const question = field.string(a, 'question').trim();
    if (question === '' || question.length > MAX_QUESTION_CHARS) throw new ToolInputError(`\`question\` must be 1 to ${MAX_QUESTION_CHARS} characters`);
    const choices = field.optionalStringArray(a, 'choices');
    if (choices !== undefined && (choices.length === 0 || choices.length > MAX_CHOICES || choices.some((c) => c.trim() === '' || c.length > MAX_CHOICE_CHARS) || new Set(choices).size !== choices.length)) {
      throw new ToolInputError(`\`choices\` must be 1 to ${MAX_CHOICES} distinct non-empty strings of at most ${MAX_CHOICE_CHARS} characters`);
    }
    const timeout = field.optionalInt(a, 'timeout_seconds', 1, MAX_WAIT_MS / 1000);
    return { question, ...(choices ? { choices } : {}), ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}) };
  },
});

function reasonOf(a: Record<string, unknown>): { reason?: string } {
  const reason = field.optionalString(a, 'reason')?.trim();
  return reason ? { reason: reason.slice(0, 500) } : {};
}

/** The wait tools a session is granted. */
export function waitTools(groups: WaitGroups): ProviderTool[] {
  return [...(groups.timers ? [sleepTool, waitUntilTool] : []), ...(groups.askUser ? [askUserTool] : [])];
}
