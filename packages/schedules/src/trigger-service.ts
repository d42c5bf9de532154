import { randomBytes } from 'node:crypto';
import { LightspeedError, type TriggerDefinition, type TriggerRecord, type TriggerStore, type WebhookSettings, type WorkflowTemplate } from '@lightspeed/ports';
import { checkTriggerDefinition, type TriggerInput } from './trigger-definition.js';

/*
 * The operations behind `triggers/*`. A webhook trigger needs a secret: the caller gives one (the
 * sender already has it) or the server makes one on creation and returns it in that answer only —
 * it is never readable again (no read or list returns it; put a new one to rotate).
 */

const MIN_HMAC_SECRET = 16;

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

export function checkWebhookSecret(scheme: WebhookSettings['scheme'], secret: string): string {
  if (typeof secret !== 'string') throw invalid('secret', 'must be a string');
  if (scheme === 'standard-webhooks') {
    const key = secret.startsWith('whsec_') ? secret.slice(6) : secret;
    if (!/^[A-Za-z0-9+/]+=*$/.test(key) || Buffer.from(key, 'base64').length < 16) throw invalid('secret', 'a Standard Webhooks secret is whsec_ followed by base64 of at least 16 random bytes');
    return secret;
  }
  if (secret.length < MIN_HMAC_SECRET || secret.length > 512) throw invalid('secret', `an HMAC secret must be ${MIN_HMAC_SECRET}-512 characters`);
  return secret;
}

function newSecret(scheme: WebhookSettings['scheme']): string {
  const bytes = randomBytes(24);
  return scheme === 'standard-webhooks' ? `whsec_${bytes.toString('base64')}` : bytes.toString('base64url');
}

export class TriggerService {
  /** `changed` runs after every put and delete (the intake and ingress drop their cached triggers). */
  constructor(
    private readonly triggers: (universe: string) => TriggerStore,
    private readonly changed: (universe: string) => void = () => undefined,
    /** The workflow templates a trigger's `workflow` part is checked against when it is put. */
    private readonly templates?: () => Promise<readonly WorkflowTemplate[]>,
  ) {}

  /**
   * A trigger naming a template or state that does not exist is refused when it is put (it
   * would only fail at its first event); firing checks again, as templates are files that change.
   */
  private async checkWorkflowPart(workflow: NonNullable<TriggerDefinition['workflow']>): Promise<void> {
    if (!this.templates) return;
    const templates = await this.templates();
    const template = templates.find((t) => t.templateId === workflow.templateId);
    if (!template) throw invalid('workflow.templateId', `no workflow template ${workflow.templateId} (known: ${templates.map((t) => t.templateId).join(', ') || 'none'})`);
    const states = Object.keys(template.states);
    for (const state of Object.keys(workflow.agents ?? {})) {
      if (!states.includes(state)) throw invalid(`workflow.agents.${state}`, `template ${template.templateId} has no state ${state} (states: ${states.join(', ')})`);
    }
    const to = workflow.advance?.to;
    if (to !== undefined && !to.startsWith('@') && !states.includes(to)) throw invalid('workflow.advance.to', `template ${template.templateId} has no state ${to} (states: ${states.join(', ')})`);
  }

  /** Creates or replaces a trigger; `secret` in the answer only when the server generated it. */
  async put(universe: string, input: TriggerInput, options: { secret?: string; expectedRevision?: number } = {}): Promise<{ record: TriggerRecord; secret?: string }> {
    const definition = checkTriggerDefinition(input);
    if (definition.workflow) await this.checkWorkflowPart(definition.workflow);
    const store = this.triggers(universe);
    if (!definition.webhook) {
      if (options.secret !== undefined) throw invalid('secret', 'only a webhook trigger has a secret');
      const record = await store.put(definition, options.expectedRevision !== undefined ? { expectedRevision: options.expectedRevision } : {});
      this.changed(universe);
      return { record };
    }
    let secret = options.secret === undefined ? undefined : checkWebhookSecret(definition.webhook.scheme, options.secret);
    let generated: string | undefined;
    if (secret === undefined) {
      const existing = await store.get(definition.triggerId);
      const sameScheme = existing?.definition.webhook?.scheme === definition.webhook.scheme;
      if (!existing?.hasSecret || !sameScheme) secret = generated = newSecret(definition.webhook.scheme);
    }
    const record = await store.put(definition, { ...(secret !== undefined ? { secret } : {}), ...(options.expectedRevision !== undefined ? { expectedRevision: options.expectedRevision } : {}) });
    this.changed(universe);
    return generated ? { record, secret: generated } : { record };
  }

  async read(universe: string, triggerId: string): Promise<TriggerRecord> {
    const record = await this.triggers(universe).get(triggerId);
    if (!record) throw new LightspeedError('not_found', `trigger ${triggerId} does not exist; list them with triggers/list`, { triggerId });
    return record;
  }

  list(universe: string, options: { limit?: number; cursor?: string } = {}) {
    return this.triggers(universe).list(options);
  }

  async delete(universe: string, triggerId: string): Promise<TriggerRecord> {
    const record = await this.triggers(universe).delete(triggerId);
    this.changed(universe);
    return record;
  }
}
