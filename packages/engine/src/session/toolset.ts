import { accept, reject, type Admission } from '../core/admission.js';
import { canonicalJson } from '../values/canonical-json.js';
import { isBlobRef } from '../values/digest.js';
import { invariant } from '../log/invariant.js';
import type { LogEntry } from '../log/log.js';
import type { SessionState } from '../core/state.js';
import type { ToolDescriptor } from '../run/tool.js';

/** The runtime sets the concrete toolset (resolved from the config's features) as a whole. */
export interface ToolsReplaceCommand {
  type: 'tools.replace';
  tools: ToolDescriptor[];
  expectedRevision?: number;
  /**
   * The config revision the tools were resolved for. Recorded even when the set is unchanged, so a
   * host can tell a configure whose setup never ran (see `needsSessionSetup`).
   */
  configRevision?: number;
}

export interface ToolsReplacedData {
  revision: number;
  tools: ToolDescriptor[];
  /** Absent in entries written before it was recorded: those count for the config current then. */
  configRevision?: number;
}

const MAX_TOOLS = 512;

export function admitToolsReplace(state: SessionState, command: ToolsReplaceCommand): Admission {
  if (!Array.isArray(command.tools) || command.tools.length > MAX_TOOLS) return reject('invalid', `tools: expected an array of at most ${MAX_TOOLS} descriptors`);
  const names = new Set<string>();
  const tools: ToolDescriptor[] = [];
  for (const [i, tool] of command.tools.entries()) {
    if (typeof tool !== 'object' || tool === null || typeof tool.name !== 'string' || tool.name.length === 0 || tool.name.length > 128) return reject('invalid', `tools[${i}].name: expected a non-empty string`);
    if (names.has(tool.name)) return reject('invalid', `tools[${i}].name: ${tool.name} appears twice`);
    names.add(tool.name);
    if (tool.parallelism !== 'parallelSafe' && tool.parallelism !== 'exclusive') return reject('invalid', `tools[${i}].parallelism: expected parallelSafe or exclusive`);
    if (!isBlobRef(tool.definitionRef)) return reject('invalid', `tools[${i}].definitionRef: expected sha256:<64 hex>`);
    const descriptor: ToolDescriptor = { name: tool.name, parallelism: tool.parallelism, definitionRef: tool.definitionRef };
    if (typeof tool.logical === 'string') descriptor.logical = tool.logical;
    tools.push(descriptor);
  }
  if (command.expectedRevision !== undefined && command.expectedRevision !== state.tools.revision) {
    return reject('conflict', `the toolset is at revision ${state.tools.revision}, not ${command.expectedRevision}`, { expected: command.expectedRevision, actual: state.tools.revision });
  }
  const { configRevision } = command;
  if (configRevision !== undefined) {
    if (!Number.isInteger(configRevision) || configRevision < 1) return reject('invalid', 'configRevision: expected a positive integer');
    // A toolset resolved for a config that has since been replaced is stale: that config's setup follows.
    if (configRevision !== state.configRevision) {
      return reject('conflict', `the tools were resolved for config revision ${configRevision}, but the config is at ${state.configRevision}`, { expected: configRevision, actual: state.configRevision });
    }
  }
  const sameTools = canonicalJson(tools) === canonicalJson(state.tools.tools);
  if (sameTools && (configRevision === undefined || configRevision === state.tools.configRevision)) return accept([], { toolsRevision: state.tools.revision });
  const revision = state.tools.revision + 1;
  const data: ToolsReplacedData = { revision, tools };
  if (configRevision !== undefined) data.configRevision = configRevision;
  return accept([{ kind: 'tools.replaced', data }], { toolsRevision: revision });
}

/**
 * Whether the session's toolset was not resolved for its current config: a crash between
 * committing `session.open`/`session.configure` and committing its setup. Hosts check it after
 * loading a session and redo the (idempotent) setup.
 */
export function needsSessionSetup(state: SessionState): boolean {
  return state.status === 'open' && state.config !== undefined && state.tools.configRevision !== state.configRevision;
}

export function applyToolsReplaced(state: SessionState, entry: LogEntry<'tools.replaced'>): SessionState {
  const data = entry.data;
  invariant(data.revision === state.tools.revision + 1, 'tools.replaced: revision must follow the current one', { revision: data.revision });
  return { ...state, tools: { revision: data.revision, tools: data.tools, configRevision: data.configRevision ?? state.configRevision } };
}
