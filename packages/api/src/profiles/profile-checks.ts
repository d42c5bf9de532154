import { validateSessionConfig, type ModelPrices, type ModelSelection } from '@lightspeed/engine';
import { checkTaskTemplate, parseScriptExecutor, type ScriptExecutorConfig } from '@lightspeed/ops';
import { isLightspeedError } from '@lightspeed/ports';
import { invalidRequest, rejected } from '../rpc/api-error.js';
import type { SessionConfig } from '../schemas/config.js';
import { toEngineConfig } from '../views/config-mapping.js';
import { refuseUnsupportedConfig } from '../views/unsupported-config.js';
import { taskSchemaProblem } from './task-payload-schema.js';

/** The fields of a profile (named or inline) that say what a session gets. */
export interface ProfileBody {
  config?: SessionConfig | null;
  description?: string | null;
  displayName?: string | null;
  environment?: unknown;
  instructions?: { type: 'text'; text: string } | { type: 'textRef'; blobRef: string } | null;
  task?: { schema?: Record<string, unknown> | null; template?: string | null; requiredArtifacts?: string[] | null; executor?: ScriptExecutorConfig | null } | null;
}

export interface ProfileCheckOptions {
  /** Whether configs may grant `features.host` on this server. */
  allowHostFeature: boolean;
  /** The server's prices: a cost budget on a model the profile names must be priced. */
  prices?: (model: ModelSelection) => ModelPrices | undefined;
}

// A profile without a model gets the server's default at session start, where its budget is checked.
const PLACEHOLDER_PRICES: ModelPrices = { inputPerMTok: 0, cachedInputPerMTok: 0, cacheWritePerMTok: 0, outputPerMTok: 0 };

// Only the shape is checked here; the deployment's real default model is filled in at session start.
const PLACEHOLDER_MODEL: ModelSelection = { providerId: 'placeholder', apiKind: 'openai:responses', model: 'placeholder' };

/** Refuses what a profile may not carry on this server; `path` prefixes field names in messages. */
export function checkProfileBody(body: ProfileBody, path: string, options: ProfileCheckOptions): void {
  if (body.environment != null) throw rejected(`${path}.environment: profile environments are not supported by this server; remove the field`);
  const template = body.task?.template;
  if (template != null) {
    try {
      checkTaskTemplate(template);
    } catch (error) {
      if (isLightspeedError(error)) throw invalidRequest(`${path}.${error.message.replace(/^the /, '')}`);
      throw error;
    }
  }
  const executor = body.task?.executor;
  if (executor != null) {
    try {
      parseScriptExecutor(executor, `${path}.task.executor`);
    } catch (error) {
      if (isLightspeedError(error)) throw invalidRequest(error.message);
      throw error;
    }
    if (template != null) throw invalidRequest(`${path}.task.template: a script executor renders its argv, not a run input; remove the template`);
  }
  const taskSchema = body.task?.schema;
  const schemaProblem = taskSchema ? taskSchemaProblem(taskSchema) : undefined;
  if (schemaProblem) throw invalidRequest(`${path}.task.schema ${schemaProblem}`);
  const config = body.config;
  if (!config) return;
  // A profile is a definition sessions start from again and again: refused when stored, not
  // discovered at the first run to have done nothing.
  refuseUnsupportedConfig(config, `${path}.config`);
  if (config.features?.host != null && !options.allowHostFeature) {
    throw rejected(`${path}.config.features.host is disabled on this server: host directory access and commands need a single-user server started with host tools enabled`);
  }
  let engine;
  try {
    const prices = config.model ? options.prices : () => PLACEHOLDER_PRICES;
    engine = toEngineConfig(config, { model: PLACEHOLDER_MODEL, ...(prices ? { prices } : {}) });
  } catch (error) {
    throw invalidRequest(`${path}.${(error as Error).message}`);
  }
  const rejection = validateSessionConfig(engine);
  if (rejection && !rejection.ok) throw invalidRequest(`${path}.${rejection.rejection.message}`);
}
