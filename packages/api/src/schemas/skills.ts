import { z } from 'zod';
import { named } from './registry.js';

/*
 * Session skills (`session/skills/*`): the contract's shapes. A skill's id is its directory path
 * in the session's file namespace (e.g. `/workspace/.lightspeed/skills/pdf`); activation puts the
 * skill's SKILL.md body into the session context as a logged, keyed entry.
 */

export const SkillActivationScope = named('SkillActivationScope', z.enum(['run', 'session']));
export const SkillActivationSource = named(
  'SkillActivationSource',
  z.discriminatedUnion('type', [z.object({ type: z.literal('toolResult'), callId: z.string() }), z.object({ type: z.literal('directContext'), contextRef: z.string() })]),
);
export const SkillActivationView = named(
  'SkillActivationView',
  z.object({
    catalogId: z.string(),
    skillId: z.string(),
    catalogRef: z.string(),
    scope: SkillActivationScope,
    source: SkillActivationSource,
    name: z.string().nullish(),
    description: z.string().nullish(),
    shortDescription: z.string().nullish(),
  }),
);
export type SkillActivationView = z.infer<typeof SkillActivationView>;

export const SkillListItem = named(
  'SkillListItem',
  z.object({
    skillId: z.string(),
    name: z.string(),
    description: z.string(),
    shortDescription: z.string().nullish(),
    enabled: z.boolean(),
    active: z.boolean(),
  }),
);

const skillId = () => z.string().min(1).max(1024);

export const SkillListParams = named('SkillListParams', z.object({ sessionId: z.string() }));
export const SkillListResponse = named('SkillListResponse', z.object({ catalogRef: z.string().nullish(), skills: z.array(SkillListItem).default([]) }));

export const SkillActiveParams = named('SkillActiveParams', z.object({ sessionId: z.string() }));
export const SkillActiveResponse = named('SkillActiveResponse', z.object({ catalogRef: z.string().nullish(), activations: z.array(SkillActivationView).default([]) }));

export const SkillActivateParams = named(
  'SkillActivateParams',
  z.object({ sessionId: z.string(), skillId: skillId(), scope: SkillActivationScope.default('run') }),
  '`skillId` is a skill id from session/skills/list (a name is accepted too). `scope: "run"` (the default) lasts until the active or next run ends; see docs/0010-api-gateway.md.',
);
export const SkillActivateResponse = named('SkillActivateResponse', z.object({ activation: SkillActivationView, active: z.array(SkillActivationView).default([]) }));

export const SkillDeactivateParams = named('SkillDeactivateParams', z.object({ sessionId: z.string(), skillId: skillId() }));
export const SkillDeactivateResponse = named('SkillDeactivateResponse', z.object({ skillId: z.string(), active: z.array(SkillActivationView).default([]) }));
