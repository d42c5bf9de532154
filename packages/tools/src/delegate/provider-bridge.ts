import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LightspeedError } from '@lightspeed/ports';

/**
 * How a delegated CLI is confined to its provider: a namespace we create (`bwrap`, `unshare`),
 * none to be had here (`none`), or `enclosing` — the command already runs in a network namespace
 * of its own (an isolated environment, docs/0027-environments.md), so only the inside half is added.
 */
export type NetworkConfinement = 'bwrap' | 'unshare' | 'none' | 'enclosing';

const BWRAP = '/usr/bin/bwrap';
const UNSHARE = '/usr/bin/unshare';
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'];

/**
 * The namespace makers that work here, preferred first. bubblewrap brings loopback up in the
 * namespace it creates; plain `unshare` needs root and `ip` for that.
 */
export function workingConfinements(): NetworkConfinement[] {
  const out: NetworkConfinement[] = [];
  if (existsSync(BWRAP)) out.push('bwrap');
  if (existsSync(UNSHARE) && IP.some((path) => existsSync(path)) && process.getuid?.() === 0) out.push('unshare');
  return out;
}

export function availableConfinement(): NetworkConfinement {
  return workingConfinements()[0] ?? 'none';
}

/** The loopback port inside the namespace the CLI is pointed at (any port works: the namespace is empty). */
export const BRIDGE_PORT = 18_080;

/**
 * The outside half of `network: 'provider'`: a Unix socket that forwards each connection to the
 * provider's host and port and nowhere else. The inside half (`netns-forwarder.ts`) listens on the
 * namespace's loopback. `wrap` turns the CLI's command into one that runs in the new namespace.
 */
export interface ProviderBridge {
  confinement: NetworkConfinement;
  /** The provider base URL as the CLI must see it (loopback inside the namespace). */
  baseUrl: string;
  wrap(command: string, args: string[]): { command: string; args: string[] };
  close(): Promise<void>;
}

/** `socketDir`: where the Unix socket goes; it must be visible inside the sandbox (an environment's home). */
export async function openProviderBridge(providerBaseUrl: string, confinement: NetworkConfinement = availableConfinement(), options: { socketDir?: string } = {}): Promise<ProviderBridge> {
  const target = new URL(providerBaseUrl);
  if (confinement === 'none') {
    return { confinement, baseUrl: providerBaseUrl, wrap: (command, args) => ({ command, args }), close: async () => undefined };
  }
  if (target.protocol !== 'http:') {
    // The CLI would speak TLS to 127.0.0.1 and refuse the provider's certificate.
    throw new LightspeedError('invalid', `delegate network "provider" forwards plain http endpoints only (a local gateway or proxy), not ${target.protocol}//${target.host}; use network "host" for it`, { field: 'delegate.network' });
  }
  const port = Number(target.port || 80);
  if (options.socketDir) await mkdir(options.socketDir, { recursive: true });
  const dir = await mkdtemp(join(options.socketDir ?? tmpdir(), 'bridge-'));
  // Short: a Unix socket path has at most 107 bytes.
  const socketPath = join(dir, 'p.sock');
  const sockets = new Set<Socket>();
  const server: Server = createServer((inside) => {
    const upstream = connect(port, target.hostname);
    sockets.add(inside).add(upstream);
    inside.pipe(upstream).pipe(inside);
    const close = (): void => {
      inside.destroy();
      upstream.destroy();
      sockets.delete(inside);
      sockets.delete(upstream);
    };
    inside.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  const inside = new URL(providerBaseUrl);
  inside.hostname = '127.0.0.1';
  inside.port = String(BRIDGE_PORT);
  // A copy beside the socket: a sandbox sees the socket's directory, not necessarily this
  // package's (an environment hides /tmp, where a checkout may live). `.mjs`: ESM outside the package.
  const forwarder = join(dir, 'forwarder.mjs');
  await copyFile(forwarderPath(), forwarder);
  const inner = (command: string, args: string[]): string[] => [process.execPath, forwarder, socketPath, String(BRIDGE_PORT), command, ...args];
  return {
    confinement,
    baseUrl: inside.toString().replace(/\/$/, ''),
    wrap: (command, args) => {
      const argv = inner(command, args);
      if (confinement === 'enclosing') return { command: argv[0]!, args: argv.slice(1) };
      if (confinement === 'bwrap') return { command: BWRAP, args: ['--dev-bind', '/', '/', '--proc', '/proc', '--unshare-net', '--unshare-pid', '--die-with-parent', '--', ...argv] };
      const ip = IP.find((path) => existsSync(path))!;
      return { command: UNSHARE, args: ['--net', '--pid', '--fork', '--kill-child', '--', '/bin/sh', '-c', `${ip} link set lo up && exec "$@"`, 'sh', ...argv] };
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The compiled forwarder beside this module; from the sources (tests), the built one in dist/. */
function forwarderPath(): string {
  const here = fileURLToPath(new URL('./netns-forwarder.js', import.meta.url));
  return existsSync(here) ? here : here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
}
