import { randomBytes } from 'node:crypto';
import { authenticate, DEFAULT_UNIVERSE, type AgentApi, type GatewayAuth } from '@lightspeed/api';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { gatewayApi, type InProcessFetch } from './gateway-api.js';
import { SIGN_IN_TTL_MS, SignInStore, type SignIn } from './sign-in-store.js';

export const SIGN_IN_COOKIE = 'ls_console';

/** Who a console request acts for: the API as that caller, its universe and its form token. */
export interface ConsoleCaller {
  api: AgentApi;
  universe: string;
  csrf: string;
  /** True on an API-key server (the page offers "sign out"). */
  signedIn: boolean;
  /** The bearer key the API calls carry (none on a single-user server); for the stream proxy. */
  key?: string;
}

/**
 * The console's side of the gateway's auth. Single-user: every local page acts as the local user
 * (the gateway's origin and host guards keep other sites and rebound names out), with one form
 * token per server process. API keys: a browser signs in with a key; the cookie (HttpOnly,
 * SameSite=Strict) names a server-side sign-in, and the universe is the key's.
 */
export class ConsoleAuth {
  private readonly signIns: SignInStore;
  private readonly localToken = randomBytes(32).toString('base64url');

  constructor(
    readonly auth: GatewayAuth,
    private readonly app: InProcessFetch,
    signIns: SignInStore = new SignInStore(),
  ) {
    this.signIns = signIns;
  }

  get needsSignIn(): boolean {
    return this.auth.mode === 'api-key';
  }

  /** The caller of a request, or undefined when an API-key server's browser is not signed in. */
  caller(c: Context): ConsoleCaller | undefined {
    if (this.auth.mode === 'single-user') {
      return { api: gatewayApi(this.app, undefined), universe: this.auth.universe ?? DEFAULT_UNIVERSE, csrf: this.localToken, signedIn: false };
    }
    const signIn = this.signIns.get(getCookie(c, SIGN_IN_COOKIE));
    if (!signIn) return undefined;
    return { api: gatewayApi(this.app, signIn.key), universe: signIn.universe, csrf: signIn.csrf, signedIn: true, key: signIn.key };
  }

  /** Checks the key with the gateway's own auth and sets the sign-in cookie; throws UnauthorizedError. */
  async signIn(c: Context, key: string): Promise<SignIn> {
    const universe = await authenticate(this.auth, `Bearer ${key.trim()}`);
    const signIn = this.signIns.create(key.trim(), universe);
    setCookie(c, SIGN_IN_COOKIE, signIn.id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: Math.floor(SIGN_IN_TTL_MS / 1000),
    });
    return signIn;
  }

  signOut(c: Context): void {
    this.signIns.delete(getCookie(c, SIGN_IN_COOKIE));
    deleteCookie(c, SIGN_IN_COOKIE, { path: '/' });
  }
}
