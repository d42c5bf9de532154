import type { Command, SessionState } from '@lightspeed/engine';
import type { ToolPort } from '@lightspeed/ports';

/** Keys the tool runtime owns in a session's context; entries under them that vanish are removed. */
// Skill activations (`skills:active:*`) are the user's and survive reconfiguration.
const RUNTIME_KEY_PREFIXES = ['vfs:', 'skills:catalog', 'prompts:'];

/**
 * What a host admits after a session is opened or reconfigured: the concrete toolset for its
 * features (`tools.replace`), then the context the features contribute (VFS and skill catalogs,
 * prompt files as instructions) as keyed entries — unchanged entries are no-ops in the engine, and
 * runtime entries that no longer apply are removed. Shared by every host so they behave the same.
 */
export async function sessionSetupCommands(state: SessionState, tools: ToolPort): Promise<Command[]> {
  const config = state.config;
  if (!config) return [];
  const descriptors = await tools.resolve({ sessionId: state.sessionId, apiKind: config.model.apiKind, features: config.features });
  const commands: Command[] = [{ type: 'tools.replace', tools: descriptors, configRevision: state.configRevision }];
  if (!tools.sessionContext) return commands;
  const entries = await tools.sessionContext(state.sessionId);
  if (entries.length > 0) commands.push({ type: 'context.put', entries });
  const wanted = new Set(entries.map((e) => e.key));
  const stale = state.context.entries
    .map((e) => e.key)
    .filter((key): key is string => key !== undefined && !wanted.has(key) && RUNTIME_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)));
  if (stale.length > 0) commands.push({ type: 'context.remove', keys: stale });
  return commands;
}
