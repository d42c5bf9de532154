import { effectiveParams, validateRunConfig, validateSessionConfig, type Command, type ModelSelection, type Rejection, type SessionConfig } from '@lightspeed/engine';
import type { LlmPort } from '@lightspeed/ports';

/** What the check needs of the LLM port: the pure, I/O-free selection and params validation. */
export type ParamsValidator = Pick<LlmPort, 'validateParams'>;

const SELECTION_FIELD = /^(providerId|apiKind|model): /;
const NATIVE_FIELD = /^params\.native(?=[.:])/;

function invalid(path: string, message: string): Rejection {
  return { code: 'invalid', message: `${path}: ${message}`, details: { path } };
}

/** A port message (`providerId: …`, `params.native.x: …`) as a rejection naming the config field. */
function rejectionOf(problem: string, kind: 'selection' | 'native'): Rejection {
  const selection = SELECTION_FIELD.exec(problem);
  if (kind === 'selection') {
    return selection ? invalid(`config.model.${selection[1]}`, problem.slice(selection[0].length)) : invalid('config.model', problem);
  }
  const native = NATIVE_FIELD.exec(problem);
  if (!native) return invalid('config.generation.native', problem);
  const rest = problem.slice(native[0].length);
  const colon = rest.indexOf(': ');
  // `params.native.a.b: msg` → path `config.generation.native.a.b`, message `msg`.
  return colon < 0 ? invalid('config.generation.native', rest.replace(/^:\s*/, '')) : invalid(`config.generation.native${rest.slice(0, colon)}`, rest.slice(colon + 2));
}

/** The selection first (an unknown provider makes its params moot), then its native params. */
function checkSelection(llm: ParamsValidator, model: ModelSelection, native: Record<string, unknown> | undefined, which: { model: boolean; native: boolean }): Rejection | undefined {
  const selection = llm.validateParams(model, undefined);
  if (selection) return which.model ? rejectionOf(selection, 'selection') : undefined;
  if (!which.native || native === undefined) return undefined;
  const params = llm.validateParams(model, native);
  return params ? rejectionOf(params, 'native') : undefined;
}

/**
 * Checks a command's model and provider params against the LLM port, so that a bad `providerId`
 * or native param is refused when it is submitted rather than failing the first generation. Covers
 * `session.open` / `session.configure` (the whole config) and `run.start` (only what the run
 * overrides; the session's own model was checked when it was configured). Configs the engine
 * would refuse on shape alone are left to it, so its messages win for malformed input. `session`
 * is the session's current config (needed for `run.start`, whose overrides merge over it).
 */
export function checkModelParams(llm: ParamsValidator, command: Command, session: SessionConfig | undefined): Rejection | undefined {
  if (command.type === 'session.open' || command.type === 'session.configure') {
    if (validateSessionConfig(command.config)) return undefined;
    return checkSelection(llm, command.config.model, command.config.generation?.native, { model: true, native: true });
  }
  if (command.type !== 'run.start') return undefined;
  const run = command.config;
  if (run === undefined || session === undefined || (run.model === undefined && run.generation?.native === undefined)) return undefined;
  if (validateRunConfig(run, session)) return undefined;
  const model = run.model ?? session.model;
  return checkSelection(llm, model, effectiveParams(session, run).native, { model: run.model !== undefined, native: run.generation?.native !== undefined });
}

/** Whether `checkModelParams` needs the session's config to judge this command. */
function needsSession(command: Command): boolean {
  return command.type === 'run.start' && command.config !== undefined && (command.config.model !== undefined || command.config.generation?.native !== undefined);
}

/**
 * A host's admission gate: `{ ok: false, rejection }` (the SubmitOutcome shape) when the command's
 * model or params are invalid, else undefined. The session config is loaded only for `run.start`
 * with overrides. Without a port (a gateway built without one) nothing is checked.
 */
export async function refuseInvalidModelParams(
  llm: ParamsValidator | undefined,
  command: Command,
  sessionConfig: () => Promise<SessionConfig | undefined>,
): Promise<{ ok: false; rejection: Rejection } | undefined> {
  if (llm === undefined) return undefined;
  const session = needsSession(command) ? await sessionConfig() : undefined;
  const rejection = checkModelParams(llm, command, session);
  return rejection ? { ok: false, rejection } : undefined;
}
