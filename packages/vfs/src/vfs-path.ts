import { LightspeedError } from '@lightspeed/ports';

/**
 * VFS paths are absolute POSIX paths (`/a/b.txt`), normalised: no empty, `.` or `..` segments, no
 * trailing slash, `/` is the root. Input may be relative (resolved against `/`) and may use `\`
 * (treated as a separator so a Windows-shaped path cannot smuggle a `..`).
 */
export type VfsPath = string;

const MAX_PATH_LENGTH = 4096;
const MAX_SEGMENT_LENGTH = 255;

/** Normalises a path, rejecting NUL bytes and any `..` that would climb above the root. */
export function normalizePath(input: string): VfsPath {
  return joinSegments(pathSegments(input));
}

/** The segments of a normalised path (`[]` for the root). */
export function pathSegments(input: string): string[] {
  if (typeof input !== 'string') throw invalidPath(String(input), 'a path must be a string');
  if (input.length > MAX_PATH_LENGTH) throw invalidPath(input.slice(0, 80), `a path may be at most ${MAX_PATH_LENGTH} characters`);
  if (input.includes('\0')) throw invalidPath(input.replace(/\0/g, '\\0'), 'a path must not contain NUL bytes');
  const out: string[] = [];
  for (const raw of input.split(/[/\\]/)) {
    if (raw === '' || raw === '.') continue;
    if (raw === '..') {
      if (out.length === 0) throw invalidPath(input, 'the path climbs above its root with `..`');
      out.pop();
      continue;
    }
    if (raw.length > MAX_SEGMENT_LENGTH) throw invalidPath(input, `a path segment may be at most ${MAX_SEGMENT_LENGTH} characters`);
    out.push(raw);
  }
  return out;
}

export function joinSegments(segments: readonly string[]): VfsPath {
  return `/${segments.join('/')}`;
}

/** Joins a base path and a relative (or absolute) path, then normalises. */
export function resolvePath(base: VfsPath, path: string): VfsPath {
  if (path.startsWith('/')) return normalizePath(path);
  return normalizePath(`${base}/${path}`);
}

export function parentOf(path: VfsPath): VfsPath {
  const segments = pathSegments(path);
  segments.pop();
  return joinSegments(segments);
}

export function baseName(path: VfsPath): string {
  const segments = pathSegments(path);
  return segments[segments.length - 1] ?? '';
}

/** True when `path` equals `ancestor` or lies beneath it (both normalised). */
export function isWithin(path: VfsPath, ancestor: VfsPath): boolean {
  if (ancestor === '/') return true;
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** `path` relative to `ancestor` as a normalised absolute path (`/` when equal). */
export function relativeTo(path: VfsPath, ancestor: VfsPath): VfsPath {
  if (!isWithin(path, ancestor)) throw invalidPath(path, `the path is not inside ${ancestor}`);
  if (ancestor === '/') return path;
  const rest = path.slice(ancestor.length);
  return rest === '' ? '/' : rest;
}

function invalidPath(path: string, why: string): LightspeedError {
  return new LightspeedError('invalid', `invalid path ${JSON.stringify(path)}: ${why}; use a POSIX path inside the workspace`, { path });
}
