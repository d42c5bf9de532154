import type { MemoryEntityRef, MemoryProvider } from '@lightspeed/ports';
import { attributes, finish, firstTime, obj, str, type CanonicalEvent, type DeliveryContext, type JsonObject } from './canonical-event.js';
import { githubRepository, transformGithub } from './github-transform.js';
import { transformLinear, transformSentry, transformVercel } from './provider-transforms.js';

/*
 * A verified delivery → one canonical event. Known types have their own transform (GitHub in
 * github-transform.ts; Linear, Sentry, Vercel in provider-transforms.ts); every other delivery
 * becomes a generic event keyed by its delivery id (or body hash): stored, never dropped, never a 500.
 */

export function transformDelivery(provider: MemoryProvider, payload: unknown, context: DeliveryContext): CanonicalEvent {
  const body = obj(payload) ?? {};
  const transform = { github: transformGithub, linear: transformLinear, sentry: transformSentry, vercel: transformVercel }[provider];
  const specific = transform(body, context);
  return specific ?? genericEvent(provider, body, context);
}

/** The type a provider gives a delivery when its headers do not (Linear and Vercel put it in the body). */
function typeOf(provider: MemoryProvider, body: JsonObject, context: DeliveryContext): string {
  return context.eventType ?? str(body.type) ?? (provider === 'github' ? 'unknown' : 'event');
}

function genericEvent(provider: MemoryProvider, body: JsonObject, context: DeliveryContext): CanonicalEvent {
  const type = typeOf(provider, body, context);
  const action = str(body.action);
  const repo = provider === 'github' ? githubRepository(body) : undefined;
  const primary: MemoryEntityRef | undefined = repo ? { type: 'repository', key: `github:${repo}` } : undefined;
  const data = obj(body.data) ?? obj(body.payload);
  return finish({
    provider,
    type,
    ...(action ? { action } : {}),
    occurredAt: firstTime(context.receivedAt, body.createdAt, body.created_at, data?.updatedAt, data?.createdAt),
    sourceKey: `${provider}:${context.deliveryId ? `delivery:${context.deliveryId}` : `sha256:${context.bodyHash}`}`,
    ...(primary ? { primary } : {}),
    related: [],
    title: `${provider} ${type}${action ? `.${action}` : ''}${str(data?.title) ? `: ${str(data?.title)!}` : ''}`,
    attributes: attributes({ generic: true, url: str(body.url) ?? str(data?.url) }),
  });
}
