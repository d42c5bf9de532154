import { LightspeedError } from '@lightspeed/ports';

export interface RestateSettings {
  adminUrl: string;
  ingressUrl: string;
}

/** `RESTATE_ADMIN_URL` and `RESTATE_INGRESS_URL` (defaults: a local server's 9070 and 8080). */
export function restateSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RestateSettings {
  const adminUrl = checkUrl('RESTATE_ADMIN_URL', env.RESTATE_ADMIN_URL || 'http://127.0.0.1:9070');
  const ingressUrl = checkUrl('RESTATE_INGRESS_URL', env.RESTATE_INGRESS_URL || 'http://127.0.0.1:8080');
  return { adminUrl, ingressUrl };
}

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LightspeedError('invalid', `${name} must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LightspeedError('invalid', `${name} must be an http(s) URL`);
  return value.replace(/\/$/, '');
}
