import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LightspeedError, type MemorySecretRecord } from '@lightspeed/ports';

/*
 * Webhook secrets at rest: AES-256-GCM under a server key (`LIGHTSPEED_MEMORY_KEY`, 32 bytes as
 * base64 or hex), bound to the universe and source id as associated data so a sealed secret copied
 * onto another row does not open. A source may instead name an environment variable of the server
 * that holds its secret; then nothing secret is stored at all. No function here logs or returns a
 * secret except `openSecret`, whose caller (the verifier) only feeds it to an HMAC.
 */

export const MEMORY_KEY_ENV = 'LIGHTSPEED_MEMORY_KEY';
const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Uint8Array): SecretBox {
    if (key.length !== 32) throw new LightspeedError('invalid', `the memory key must be 32 bytes, not ${key.length}`);
    return new SecretBox(Buffer.from(key));
  }

  /** The box of `LIGHTSPEED_MEMORY_KEY`, or undefined when it is unset (then only env-referenced secrets work). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox | undefined {
    const text = env[MEMORY_KEY_ENV];
    if (!text) return undefined;
    const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (key.length !== 32) throw new LightspeedError('invalid', `${MEMORY_KEY_ENV} must hold 32 bytes as 64 hex digits or base64`);
    return new SecretBox(key);
  }

  seal(secret: string, binding: { universe: string; sourceId: string }): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad(binding)));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, binding: { universe: string; sourceId: string }): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new LightspeedError('invalid', 'not a sealed memory secret');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad(binding)));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // Wrong server key or a row it was not sealed for: say so without any byte of the secret.
      throw new LightspeedError('unavailable', 'the memory source secret does not open with this server key');
    }
  }
}

function aad(binding: { universe: string; sourceId: string }): string {
  return `lightspeed-memory-source\u0000${binding.universe}\u0000${binding.sourceId}`;
}

/** The plaintext secret of a stored record: opened with the box, or read from the named variable. */
export function openSecret(record: MemorySecretRecord, binding: { universe: string; sourceId: string }, box: SecretBox | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (record.kind === 'env') return env[record.name] || undefined;
  if (!box) throw new LightspeedError('unavailable', `memory source ${binding.sourceId} has a sealed secret but ${MEMORY_KEY_ENV} is not set on this server`);
  return box.open(record.sealed, binding);
}
