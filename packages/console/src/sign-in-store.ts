import { randomBytes } from 'node:crypto';

/** A browser signed in with an API key: the key stays on the server, the cookie holds only `id`. */
export interface SignIn {
  id: string;
  key: string;
  universe: string;
  /** The form token of this sign-in (every POST carries it). */
  csrf: string;
  expiresAtMs: number;
}

export const SIGN_IN_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SIGN_INS = 10_000;

const token = () => randomBytes(32).toString('base64url');

/**
 * Console sign-ins of an API-key server, in memory: a restart signs every browser out (the key
 * is never written anywhere by the console). Each use re-checks the key through the API, so a
 * revoked key ends its sign-ins at the next request.
 */
export class SignInStore {
  private readonly signIns = new Map<string, SignIn>();

  constructor(private readonly now: () => number = Date.now) {}

  create(key: string, universe: string): SignIn {
    this.sweep();
    // Oldest first (Map order): a flood of sign-ins cannot grow memory without bound.
    while (this.signIns.size >= MAX_SIGN_INS) this.signIns.delete(this.signIns.keys().next().value!);
    const signIn = { id: token(), key, universe, csrf: token(), expiresAtMs: this.now() + SIGN_IN_TTL_MS };
    this.signIns.set(signIn.id, signIn);
    return signIn;
  }

  get(id: string | undefined): SignIn | undefined {
    if (id === undefined) return undefined;
    const signIn = this.signIns.get(id);
    if (!signIn) return undefined;
    if (signIn.expiresAtMs <= this.now()) {
      this.signIns.delete(id);
      return undefined;
    }
    return signIn;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.signIns.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, signIn] of this.signIns) if (signIn.expiresAtMs <= now) this.signIns.delete(id);
  }
}
