import { normalizePath } from '@lightspeed/vfs';
import type { CommandLedger } from './command-ledger.js';
import { HostBackend } from './host-backend.js';
import { HostRoot } from './host-root.js';

/** Opt-in host access for a session: a real directory plus `exec`, confined to `root`. */
export interface HostEnvironmentConfig {
  /** The directory the session may read, write and run commands in. */
  root: string;
  /** Where the directory appears in the session's file namespace (default `/`). */
  mountPath?: string;
  readOnly?: boolean;
  /** Allow the `exec` tool (default true). */
  exec?: boolean;
  defaultTimeoutMs?: number;
  maxTimeoutMs?: number;
  maxOutputBytes?: number;
  /** Environment for commands. Only PATH, HOME, LANG and these are passed: never the server's secrets. */
  env?: Record<string, string>;
}

export class HostEnvironment {
  readonly root: HostRoot;
  readonly backend: HostBackend;
  readonly mountPath: string;

  /**
   * `commands`: where running commands are recorded (the deployment's, never the session's), so
   * a restarted process can kill what a crash left running before the call runs again.
   */
  constructor(
    readonly config: HostEnvironmentConfig,
    readonly commands?: CommandLedger,
  ) {
    this.root = new HostRoot(config.root);
    this.backend = new HostBackend(this.root);
    this.mountPath = normalizePath(config.mountPath ?? '/');
  }

  get execEnabled(): boolean {
    return this.config.exec !== false;
  }

  commandEnv(): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: this.config.root, LANG: 'C.UTF-8' };
    return { ...env, ...this.config.env };
  }
}
