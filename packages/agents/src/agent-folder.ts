import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentDefinitionError, type AgentProblem } from './agent-problems.js';
import { agentNameOf, parseAgentFile } from './agent-file.js';
import type { AgentDefinition } from './agent-schema.js';

/** Where a project keeps its agents, relative to the project directory. */
export const AGENTS_DIR = join('.lightspeed', 'agents');

export function agentsDirOf(projectDir: string): string {
  return join(projectDir, AGENTS_DIR);
}

/** The `*.md` files of an agents folder, sorted; none when the folder does not exist. */
export async function agentFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => name.toLowerCase().endsWith('.md')).sort().map((name) => join(dir, name));
}

export async function loadAgentFile(file: string): Promise<AgentDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AgentDefinitionError([{ file, message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  return parseAgentFile(text, file);
}

export interface LoadedAgents {
  agents: AgentDefinition[];
  /** Problems of the files that did not load (each file is loaded independently). */
  problems: AgentProblem[];
}

/** Loads every agent file of a folder, collecting the problems of those that do not validate. */
export async function loadAgentsDir(dir: string): Promise<LoadedAgents> {
  const agents: AgentDefinition[] = [];
  const problems: AgentProblem[] = [];
  for (const file of await agentFiles(dir)) {
    try {
      agents.push(await loadAgentFile(file));
    } catch (error) {
      if (!(error instanceof AgentDefinitionError)) throw error;
      problems.push(...error.problems);
    }
  }
  return { agents, problems };
}

/** The agent `name` of a project, or undefined when the project has no such file. */
export async function findProjectAgent(projectDir: string, name: string): Promise<AgentDefinition | undefined> {
  for (const file of await agentFiles(agentsDirOf(projectDir))) if (agentNameOf(file) === name) return loadAgentFile(file);
  return undefined;
}
