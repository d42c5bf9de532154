import { basename } from 'node:path';
import { taskSchemaProblem } from '@lightspeed/api';
import { parseFrontMatter } from '@lightspeed/tools';
import { AgentDefinitionError, type AgentProblem } from './agent-problems.js';
import { AGENT_NAME, AgentFrontMatter, type AgentDefinition } from './agent-schema.js';
import { locate, yamlValue, zodProblems, type YamlPlace } from './yaml-problems.js';

const FRONT_MATTER_HINT = 'an agent file starts with front matter: a line `---`, YAML fields (model, tools, limits, …), a line `---`, then the instructions';

/** The name an agent file defines: its file name without `.md`. */
export function agentNameOf(file: string): string {
  return basename(file).replace(/\.md$/i, '');
}

/**
 * Parses and validates one agent file. Throws an `AgentDefinitionError` listing every problem
 * with its file, line and field; on success the definition is ready to compile into a profile.
 */
export function parseAgentFile(text: string, file: string): AgentDefinition {
  const name = agentNameOf(file);
  const problems: AgentProblem[] = [];
  if (!AGENT_NAME.test(name)) problems.push({ file, message: `the file name must be NAME.md with NAME of 1-64 characters [A-Za-z0-9._-]` });
  const parsed = parseFrontMatter(text);
  if (!parsed) throw new AgentDefinitionError([...problems, { file, line: 1, message: `missing front matter: ${FRONT_MATTER_HINT}` }]);
  const place: YamlPlace = { contents: parsed.document.contents, lineCounter: parsed.lineCounter, firstLine: parsed.firstLine };
  const parsedValue = yamlValue(file, parsed.document, place);
  if ('problems' in parsedValue) throw new AgentDefinitionError([...problems, ...parsedValue.problems]);
  const data = parsedValue.value ?? {};
  const result = AgentFrontMatter.safeParse(data);
  if (!result.success) {
    problems.push(...zodProblems(file, place, result.error, 'unknown field; see docs/agents.md for the fields an agent file may have'));
    throw new AgentDefinitionError(problems);
  }
  if (result.data.name !== undefined && result.data.name !== name) {
    problems.push({ file, ...locate(place, ['name']), field: 'name', message: `is ${JSON.stringify(result.data.name)} but the file defines ${JSON.stringify(name)}; rename the file or the agent` });
  }
  const taskSchema = result.data.task?.schema;
  const schemaProblem = taskSchema ? taskSchemaProblem(taskSchema) : undefined;
  if (schemaProblem) problems.push({ file, ...locate(place, ['task', 'schema']), field: 'task.schema', message: schemaProblem });
  if (problems.length > 0) throw new AgentDefinitionError(problems);
  return { ...result.data, name, instructions: parsed.body.trim(), file };
}
