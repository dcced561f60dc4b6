/**
 * Whom the token cache may belong to, decided as ssh decides about ~/.ssh (StrictModes) and aws-iam-authenticator
 * about its cache: a cache directory or file that another user owns, or that others may write, may hold anything that
 * user chose (another identity's token, a link to it). Such a cache is refused, never read or written.
 *
 * Pure: the caller passes what fstat/stat found and the current uid. These are POSIX owner and mode bits; on Windows
 * they mean nothing (mode bits are synthesised, uid is -1), so callers ask `posixCacheChecksApply` first.
 */
import { AppError } from '../app-error.js';
import { type FileKind, kindNames } from '../platform/file-kind.js';

export interface FileFacts {
  readonly uid: number;
  readonly mode: number;
  readonly kind: FileKind;
}

/** Whether the owner and mode checks mean anything on this platform (the platforms engineer may gate more here). */
export function posixCacheChecksApply(platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'win32';
}

/** Owners we trust: ourselves, and root (who can read and write everything anyway). */
function trustedOwner(uid: number, ownUid: number): boolean {
  return uid === ownUid || uid === 0;
}

/** Why the cache directory cannot be trusted, or undefined when it can. */
export function untrustedDirectory(dir: string, facts: FileFacts, ownUid: number): AppError | undefined {
  // Not a directory at all: reading finds nothing there and writing fails with its own message (exit code 6).
  if (facts.kind !== 'directory') return undefined;
  if (!trustedOwner(facts.uid, ownUid)) {
    return untrusted(
      dir,
      `is owned by another user (uid ${facts.uid}, you are ${ownUid}): that user could swap its entries`,
      'use a cache directory of your own: --token-cache-dir=~/.kube/cache/oidc-login (or unset KUBECACHEDIR)',
    );
  }
  if ((facts.mode & 0o022) !== 0) {
    return untrusted(
      dir,
      `is writable by ${writers(facts.mode)} (mode ${octal(facts.mode)}): they could swap its entries`,
      `make it private: chmod 700 ${dir}`,
    );
  }
  return undefined;
}

/**
 * Why a cache file (opened without following links) cannot be trusted, or undefined when it can. A file others may
 * merely read is not refused here: it is reported and replaced by a private one (see disk-store.ts).
 */
export function untrustedEntry(path: string, facts: FileFacts, ownUid: number): AppError | undefined {
  if (facts.kind !== 'file') {
    return untrusted(
      path,
      `is ${kindNames[facts.kind]}: only a regular file is read as a cache entry`,
      `remove it (rm ${path}) or run \`kubectl together-login clean\``,
    );
  }
  if (!trustedOwner(facts.uid, ownUid)) {
    return untrusted(
      path,
      `is owned by another user (uid ${facts.uid}, you are ${ownUid})`,
      `remove it (rm ${path}) and log in again`,
    );
  }
  if ((facts.mode & 0o022) !== 0) {
    return untrusted(
      path,
      `is writable by ${writers(facts.mode)} (mode ${octal(facts.mode)})`,
      `remove it (rm ${path}) and log in again`,
    );
  }
  return undefined;
}

function untrusted(path: string, what: string, hint: string): AppError {
  return new AppError('cache.untrusted', `refusing the token cache: ${path} ${what}`, {
    hint,
  });
}

function writers(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  return group && others ? 'its group and all users' : group ? 'its group' : 'all users';
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
