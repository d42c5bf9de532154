import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LightspeedError } from '@lightspeed/ports';

/** Non-secret facts about an API key; the plaintext is never stored. */
export interface ApiKeyRecord {
  /** Public identifier embedded in the key (`lsk_<keyId>_<secret>`), safe to log and display. */
  keyId: string;
  universe: string;
  /** An operator's label ("ci", "alice laptop"), shown by `keys list`. */
  name?: string;
  /** SHA-256 of the full key, hex. */
  hash: string;
  createdAt: number;
  revokedAt?: number;
}

export interface CreatedApiKey {
  /** The plaintext key. Returned once; only its hash is kept. */
  key: string;
  record: ApiKeyRecord;
}

/** Maps inbound gateway keys to universes. Implementations store hashes only. */
export interface CreateApiKeyOptions {
  name?: string;
}

export interface ApiKeyRegistry {
  createApiKey(universe: string, options?: CreateApiKeyOptions): Promise<CreatedApiKey>;
  /** The universe of a live key, or undefined for an unknown, malformed or revoked key. */
  resolve(key: string): Promise<string | undefined>;
  revoke(keyId: string): Promise<boolean>;
  list(universe?: string): Promise<ApiKeyRecord[]>;
}

const KEY_PATTERN = /^lsk_([a-f0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Key names are printed in terminals: one short line of printable text. */
const NAME_PATTERN = /^[^\p{Cc}\p{Cf}]{1,100}$/u;

export function mintApiKey(universe: string, now: number, options: CreateApiKeyOptions = {}): CreatedApiKey {
  if (universe.length === 0) throw new LightspeedError('invalid', 'an API key needs a universe');
  if (options.name !== undefined && !NAME_PATTERN.test(options.name)) {
    throw new LightspeedError('invalid', 'an API key name is 1 to 100 printable characters on one line');
  }
  const keyId = randomBytes(6).toString('hex');
  const key = `lsk_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { key, record: { keyId, universe, ...(options.name !== undefined ? { name: options.name } : {}), hash: hashApiKey(key), createdAt: now } };
}

/**
 * Lookup by the public key id, then a constant-time comparison of SHA-256 hashes, so neither the
 * stored form nor the comparison time reveals anything about the secret part.
 */
export function matchApiKey(records: ReadonlyMap<string, ApiKeyRecord>, key: string): string | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  const record = records.get(match[1]!);
  if (!record || record.revokedAt !== undefined) return undefined;
  return sameHash(record.hash, hashApiKey(key)) ? record.universe : undefined;
}

/** A registry held in memory (tests, embedded servers that mint keys at start-up). */
export class MemoryApiKeyRegistry implements ApiKeyRegistry {
  protected readonly records = new Map<string, ApiKeyRecord>();

  constructor(protected readonly now: () => number = Date.now) {}

  async createApiKey(universe: string, options: CreateApiKeyOptions = {}): Promise<CreatedApiKey> {
    const created = mintApiKey(universe, this.now(), options);
    this.records.set(created.record.keyId, created.record);
    await this.persist();
    return { key: created.key, record: { ...created.record } };
  }

  async resolve(key: string): Promise<string | undefined> {
    return matchApiKey(this.records, key);
  }

  async revoke(keyId: string): Promise<boolean> {
    const record = this.records.get(keyId);
    if (!record) return false;
    if (record.revokedAt === undefined) {
      record.revokedAt = this.now();
      await this.persist();
    }
    return true;
  }

  async list(universe?: string): Promise<ApiKeyRecord[]> {
    return [...this.records.values()].filter((record) => universe === undefined || record.universe === universe).map((record) => ({ ...record }));
  }

  protected async persist(): Promise<void> {}
}
