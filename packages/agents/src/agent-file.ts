import { basename } from 'node:path';
import { parseFrontMatter } from '@lightspeed/tools';
import type { z } from 'zod';
import { AgentDefinitionError, locate, yamlErrorPosition, type AgentProblem, type YamlPlace } from './agent-problems.js';
import { AGENT_NAME, AgentFrontMatter, type AgentDefinition } from './agent-schema.js';

const FRONT_MATTER_HINT = 'an agent file starts with front matter: a line `---`, YAML fields (model, tools, limits, …), a line `---`, then the instructions';

/** The name an agent file defines: its file name without `.md`. */
export function agentNameOf(file: string): string {
  return basename(file).replace(/\.md$/i, '');
}

function issueProblems(file: string, place: YamlPlace, error: z.ZodError): AgentProblem[] {
  const problems: AgentProblem[] = [];
  for (const issue of error.issues) {
    // Unknown fields: one problem per field, at the field's own line.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const field = path.map(String).join('.');
      const message = key === undefined ? issue.message : 'unknown field; see docs/agents.md for the fields an agent file may have';
      problems.push({ file, ...locate(place, path), ...(field ? { field } : {}), message });
    }
  }
  // In file order, as an editor would list them.
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
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
  if (parsed.document.errors.length > 0) {
    for (const error of parsed.document.errors) {
      problems.push({ file, ...yamlErrorPosition(place, error.pos[0]), message: `invalid YAML: ${error.message.split('\n')[0]}` });
    }
    throw new AgentDefinitionError(problems);
  }
  let data: unknown;
  try {
    data = parsed.document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new AgentDefinitionError([...problems, { file, line: parsed.firstLine, message: `invalid YAML: ${(error as Error).message}` }]);
  }
  data ??= {};
  const result = AgentFrontMatter.safeParse(data);
  if (!result.success) {
    problems.push(...issueProblems(file, place, result.error));
    throw new AgentDefinitionError(problems);
  }
  if (result.data.name !== undefined && result.data.name !== name) {
    problems.push({ file, ...locate(place, ['name']), field: 'name', message: `is ${JSON.stringify(result.data.name)} but the file defines ${JSON.stringify(name)}; rename the file or the agent` });
  }
  if (problems.length > 0) throw new AgentDefinitionError(problems);
  return { ...result.data, name, instructions: parsed.body.trim(), file };
}
