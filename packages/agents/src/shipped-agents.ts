import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentDefinition } from './agent-schema.js';
import { parseAgentFile } from './agent-file.js';

/*
 * Agent definitions shipped with the project (`packages/agents/shipped/NAME.md`). A universe's
 * profile of the same name (a project's `.lightspeed/agents/NAME.md`, stored by `lightspeed serve`,
 * or `profiles/put`) overrides one; the feature using it decides where (memory/answer: "answer").
 */

export const SHIPPED_AGENTS = ['answer'] as const;
export type ShippedAgentName = (typeof SHIPPED_AGENTS)[number];

/** The shipped file of an agent (read from the package, next to `src` and `dist`). */
export function shippedAgentFile(name: ShippedAgentName): string {
  return fileURLToPath(new URL(`../shipped/${name}.md`, import.meta.url));
}

/** A shipped agent, parsed and validated like any agent file. */
export function shippedAgent(name: ShippedAgentName): AgentDefinition {
  const file = shippedAgentFile(name);
  return parseAgentFile(readFileSync(file, 'utf8'), file);
}
