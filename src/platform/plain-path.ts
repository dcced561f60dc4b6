/**
 * node:path's `join` and `dirname` for this platform, answered without node:path when the answer is plain
 * concatenation: on POSIX, when the path is already normal (no empty, `.` or `..` segment, no doubled or trailing
 * slash), as a cache hit's paths are. In the standalone executable Bun's node:path is JavaScript evaluated when first
 * loaded, ~0.2 M instructions of a cache hit (docs/performance.md); anything else, Windows paths included, is
 * node:path's own answer.
 */
import type { PlatformPath } from 'node:path';

/** node:path itself, loaded when first needed. */
export const nodePath = (): PlatformPath => process.getBuiltinModule('node:path');

/** `path.join(...parts)`. */
export function joinPath(...parts: string[]): string {
  const joined = parts.join('/');
  if (parts[0] !== '' && isNormalPosixPath(joined)) return joined;
  return nodePath().join(...parts);
}

/** `path.dirname(path)`. */
export function parentDir(path: string): string {
  if (!isNormalPosixPath(path)) return nodePath().dirname(path);
  const slash = path.lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash) : slash === 0 ? '/' : '.';
}

/**
 * A path that path.posix.normalize leaves as it is, on a platform whose node:path is POSIX's. String tests, not a
 * regular expression: compiling one costs the standalone's hit more than these.
 */
function isNormalPosixPath(path: string): boolean {
  if (process.platform === 'win32' || path === '' || path.endsWith('/') || path.includes('//')) return false;
  const segments = `/${path}/`;
  return !segments.includes('/./') && !segments.includes('/../');
}
