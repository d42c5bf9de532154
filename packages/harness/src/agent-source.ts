import { isAbsolute, join, resolve } from 'node:path';
import { AGENT_NAME, AgentFrontMatter, loadAgentFile, type AgentDefinition } from '@lightspeed/agents';
import { LightspeedError } from '@lightspeed/ports';

/** An agent to start a session from: its definition, a path to its `.md` file, or a name in `agentsDir`. */
export type AgentSource = AgentDefinition | string;

/**
 * Resolves an agent source to a validated definition. A string ending in `.md` (or holding a path
 * separator) is a file, relative to `cwd`; a bare name is `<agentsDir>/<name>.md`. An invalid file
 * throws `AgentDefinitionError` naming the file, line and field, before any session starts.
 */
export async function loadAgentSource(source: AgentSource, options: { agentsDir?: string; cwd: string }): Promise<AgentDefinition> {
  if (typeof source !== 'string') {
    if (typeof source?.name !== 'string' || !AGENT_NAME.test(source.name)) throw new LightspeedError('invalid', 'agent: a definition needs a `name` of 1-64 characters [A-Za-z0-9._-]; load files with loadAgentFile');
    if (typeof source.instructions !== 'string') throw new LightspeedError('invalid', `agent ${source.name}: \`instructions\` must be a string (the agent file's body)`);
    // A definition built in code gets the same checks as a file's front matter.
    const { instructions: _body, file: _file, ...frontMatter } = source;
    const checked = AgentFrontMatter.safeParse(frontMatter);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || '(definition)'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`);
      throw new LightspeedError('invalid', `agent ${source.name}: ${problems.join('; ')} (see docs/agents.md)`, { problems });
    }
    return { ...checked.data, name: source.name, instructions: source.instructions, ...(source.file !== undefined ? { file: source.file } : {}) };
  }
  const isPath = /\.md$/i.test(source) || source.includes('/') || source.includes('\\') || isAbsolute(source);
  if (isPath) return loadAgentFile(resolve(options.cwd, source));
  if (!AGENT_NAME.test(source)) throw new LightspeedError('invalid', `agent ${JSON.stringify(source)}: expected a path to NAME.md or an agent name of 1-64 characters [A-Za-z0-9._-]`);
  if (options.agentsDir === undefined) {
    throw new LightspeedError('invalid', `agent ${JSON.stringify(source)}: a bare name is looked up in agentsDir, which this harness was not given; pass agentsDir to createHarness or a path to the file`);
  }
  return loadAgentFile(join(resolve(options.cwd, options.agentsDir), `${source}.md`));
}
