import { LightspeedError } from '@lightspeed/ports';

/** The spawn bases of the contract's FleetSpawnConfig: `self` is a fork of this session, `profile` an agent definition. */
export type SpawnBase = 'self' | 'session' | 'profile';

/**
 * `features.fleet` (the contract's FleetFeature) as the fleet tools apply it, plus the Lightspeed
 * extension limits `maxDepth` (how deep sub-agents may nest) and `maxChildren` (how many one
 * session may spawn in all).
 */
export interface FleetConfig {
  /** Profiles that may be spawned; undefined = all. */
  allow?: string[];
  deny: string[];
  /** Bases that may be spawned from; undefined = all. */
  bases?: SpawnBase[];
  maxDepth: number;
  maxChildren: number;
}

export const DEFAULT_MAX_DEPTH = 2;
export const DEFAULT_MAX_CHILDREN = 8;
export const MAX_MAX_CHILDREN = 100;
export const MAX_MAX_DEPTH = 8;

/** Reads `features.fleet` defensively (the API validates the document's shape first). */
export function parseFleetConfig(raw: unknown): FleetConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('fleet must be an object');
  const f = raw as Record<string, unknown>;
  const profiles = (f.profiles ?? {}) as Record<string, unknown>;
  const spawn = (f.spawn ?? {}) as Record<string, unknown>;
  const ids = (value: unknown, path: string): string[] | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`${path} must be a list of profile ids`);
    return value as string[];
  };
  const config: FleetConfig = { deny: ids(profiles.deny, 'fleet.profiles.deny') ?? [], maxDepth: DEFAULT_MAX_DEPTH, maxChildren: DEFAULT_MAX_CHILDREN };
  const allow = ids(profiles.allow, 'fleet.profiles.allow');
  if (allow) config.allow = allow;
  if (spawn.bases !== undefined && spawn.bases !== null) {
    if (!Array.isArray(spawn.bases) || spawn.bases.some((b) => b !== 'self' && b !== 'session' && b !== 'profile')) throw invalid('fleet.spawn.bases must list self, session or profile');
    config.bases = spawn.bases as SpawnBase[];
  }
  config.maxDepth = bound(f.maxDepth, 'fleet.maxDepth', MAX_MAX_DEPTH) ?? DEFAULT_MAX_DEPTH;
  config.maxChildren = bound(f.maxChildren, 'fleet.maxChildren', MAX_MAX_CHILDREN) ?? DEFAULT_MAX_CHILDREN;
  return config;
}

function bound(value: unknown, path: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw invalid(`${path} must be an integer from 1 to ${max}`);
  return value;
}

function invalid(message: string): LightspeedError {
  return new LightspeedError('invalid', `invalid tool features: ${message}`);
}
