import { LightspeedError } from '@lightspeed/ports';
import { formatProblem, type FileProblem } from './yaml-problems.js';

/** One thing wrong with an agent file: where (file, line, field) and what was expected. */
export type AgentProblem = FileProblem;

/**
 * An agent file (or several) failed to load. A `LightspeedError` with code `invalid`, carrying
 * every problem found so a user fixes them in one pass.
 */
export class AgentDefinitionError extends LightspeedError {
  constructor(readonly problems: readonly AgentProblem[]) {
    super('invalid', problems.map(formatProblem).join('\n'), { problems: problems.map((p) => ({ ...p })) });
    this.name = 'AgentDefinitionError';
  }
}
