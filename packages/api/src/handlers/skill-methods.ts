import type { ContextEntry, SessionState } from '@lightspeed/engine';
import { SessionSkills, type SkillCatalog, type SkillInfo } from '@lightspeed/tools';
import { notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { SkillActivationView } from '../schemas/skills.js';
import type { SessionAccess } from './session-access.js';

/** The context key the tool runtime's catalog entry lives under (see @lightspeed/tools skill-catalog). */
const CATALOG_KEY = 'skills:catalog';

/**
 * session/skills/list, active, activate, deactivate. Activation is a `context.put` of the skill's
 * `skillActivation` entry (key `skills:active:<skillId>`): admitted and logged like any context
 * edit, so it survives restarts, shows in the session's events, reaches the model at the next turn,
 * and is kept across reconfiguration (session setup only replaces the runtime's own keys).
 * Deactivation is the matching `context.remove`. Discovery reads the session's files now, through
 * the same namespace and entries the tool runtime builds, so what is listed is what the model sees.
 */
export function skillMethods(access: SessionAccess): MethodHandlers {
  const host = access.host;
  const skillsOf = (universe: string, state: SessionState) => new SessionSkills(host.blobs(universe), host.workspaces(universe), state.config?.features);
  return {
    'session/skills/list': async ({ sessionId }, { universe }) => {
      const state = await access.read({ universe, sessionId });
      const catalog = await skillsOf(universe, state).catalog();
      // Skills off: the contract's "an absent catalog yields an empty result".
      if (!catalog) return { result: { catalogRef: null, skills: [] } };
      const active = new Set(activations(state).map((entry) => entry.kind.skillId));
      return {
        result: {
          catalogRef: catalog.entry.contentRef,
          skills: catalog.skills.map((skill) => ({ skillId: skill.skillId, name: skill.name, description: skill.description, enabled: true, active: active.has(skill.skillId) })),
        },
      };
    },

    'session/skills/active': async ({ sessionId }, { universe }) => {
      const state = await access.read({ universe, sessionId });
      const catalog = await skillsOf(universe, state).catalog();
      return { result: { catalogRef: catalogRefOf(state) ?? catalog?.entry.contentRef ?? null, activations: activationViews(state, catalog) } };
    },

    'session/skills/activate': async ({ sessionId, skillId, scope }, { universe }) => {
      const ref = { universe, sessionId };
      const before = await access.read(ref);
      const skills = skillsOf(universe, before);
      const catalog = await skills.catalog();
      const { skill, entry } = await skills.activation(skillId, catalog);
      // The catalog entry is refreshed with it, so the activation names the catalog it came from;
      // both are no-ops when unchanged, which makes activating twice idempotent.
      // Run scope (the contract's default): the engine drops the entry when the active run ends, or
      // the next one if the session is idle. Re-activating changes the scope of an active skill.
      const scoped = scope === 'run' ? { ...entry, scope: 'run' as const } : entry;
      const { state } = await access.submit(ref, { type: 'context.put', entries: [catalog!.entry, scoped] });
      const views = activationViews(state, catalog);
      return { result: { activation: views.find((view) => view.skillId === skill.skillId)!, active: views } };
    },

    'session/skills/deactivate': async ({ sessionId, skillId }, { universe }) => {
      const ref = { universe, sessionId };
      const before = await access.read(ref);
      let entry = activations(before).find((e) => e.kind.skillId === skillId);
      if (!entry) {
        // A name is accepted as in activate, resolved against the skills active now.
        const catalog = await skillsOf(universe, before).catalog();
        const named = catalog?.skills.find((skill) => skill.name === skillId);
        entry = named ? activations(before).find((e) => e.kind.skillId === named.skillId) : undefined;
      }
      if (!entry) throw notFound(`skill ${JSON.stringify(skillId)} is not active in session ${sessionId}; session/skills/active lists the active ones`);
      const { state } = await access.submit(ref, { type: 'context.remove', keys: [entry.key!] });
      return { result: { skillId: entry.kind.skillId, active: activationViews(state, await skillsOf(universe, state).catalog()) } };
    },
  };
}

type ActivationEntry = ContextEntry & { kind: { type: 'skillActivation'; catalogId: string; skillId: string } };

function activations(state: SessionState): ActivationEntry[] {
  return state.context.entries.filter((entry): entry is ActivationEntry => entry.kind.type === 'skillActivation' && entry.key !== undefined);
}

function catalogRefOf(state: SessionState): string | undefined {
  return state.context.entries.find((entry) => entry.key === CATALOG_KEY)?.contentRef;
}

function activationViews(state: SessionState, catalog: SkillCatalog | undefined): SkillActivationView[] {
  const byId = new Map<string, SkillInfo>((catalog?.skills ?? []).map((skill) => [skill.skillId, skill]));
  const catalogRef = catalogRefOf(state) ?? catalog?.entry.contentRef;
  return activations(state).map((entry) => {
    const skill = byId.get(entry.kind.skillId);
    return {
      catalogId: entry.kind.catalogId,
      skillId: entry.kind.skillId,
      // With skills since turned off the catalog is gone; the activation's own body stands in for it.
      catalogRef: catalogRef ?? entry.contentRef,
      scope: entry.scope === 'run' ? 'run' : 'session',
      source: { type: 'directContext', contextRef: entry.contentRef },
      name: skill?.name ?? null,
      description: skill?.description ?? null,
    };
  });
}
