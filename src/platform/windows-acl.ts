/**
 * Who besides the user can read new files in a Windows directory. NTFS has no mode bits: what 0700 means on Unix is
 * the directory's ACL there, and files we create inherit its "object inherit" entries. Node has no ACL API and we
 * load no native module for one; `icacls <dir> /save <file>` writes the ACL in SDDL, whose well-known principals are
 * language-independent abbreviations (WD, BU, AU…) where icacls' listing would print localized names.
 *
 * Only a positive finding is reported: when icacls fails or its output is not understood, nothing is said.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, TokenStore } from '../core/ports.js';

/** Principals meaning "other people", by SDDL abbreviation and SID. */
const broadPrincipals: readonly { readonly name: string; readonly ids: readonly string[] }[] = [
  { name: 'Everyone', ids: ['WD', 'S-1-1-0'] },
  { name: 'Anonymous', ids: ['AN', 'S-1-5-7'] },
  { name: 'Interactive users', ids: ['IU', 'S-1-5-4'] },
  { name: 'Authenticated Users', ids: ['AU', 'S-1-5-11'] },
  { name: 'Users', ids: ['BU', 'S-1-5-32-545'] },
  { name: 'Guests', ids: ['BG', 'S-1-5-32-546'] },
  { name: 'Domain Users', ids: ['DU'] },
];

// Rights that include reading a file's data: generic all/read, file all/read, or a mask with FILE_READ_DATA (0x1),
// GENERIC_ALL (0x10000000) or GENERIC_READ (0x80000000).
const readRights = ['GA', 'GR', 'FA', 'FR'];
const readMask = 0x1 | 0x10000000 | 0x80000000;

interface Ace {
  readonly allow: boolean;
  readonly inheritedByFiles: boolean;
  readonly reads: boolean;
  readonly principal: string;
}

/**
 * The broad principals that may read files created in a directory with this SDDL (its DACL's entries that files
 * inherit: the OI flag), in the order of the list above; a deny entry for a principal before its allow entry wins.
 */
export function othersWhoCanRead(sddl: string): string[] {
  const dacl = /D:[A-Z]*((?:\([^)]*\))*)/.exec(sddl)?.[1];
  if (dacl === undefined) return [];
  const aces = [...dacl.matchAll(/\(([^)]*)\)/g)].map((match) => parseAce(match[1] as string));
  const readers: string[] = [];
  for (const { name, ids } of broadPrincipals) {
    const isPrincipal = (ace: Ace) =>
      ids.includes(ace.principal) || (name === 'Domain Users' && /^S-1-5-21-.+-513$/.test(ace.principal));
    const first = aces.find((ace) => ace.inheritedByFiles && ace.reads && isPrincipal(ace));
    if (first?.allow) readers.push(name);
  }
  return readers;
}

function parseAce(text: string): Ace {
  const [type = '', flags = '', rights = '', , , principal = ''] = text.split(';');
  const reads = /^0x[0-9a-f]+$/i.test(rights)
    ? (Number.parseInt(rights, 16) & readMask) !== 0
    : pairs(rights).some((right) => readRights.includes(right));
  return {
    allow: type === 'A',
    inheritedByFiles: pairs(flags).includes('OI'),
    reads,
    principal: principal.toUpperCase(),
  };
}

/** SDDL flags and rights are two-letter codes written together: `OICIID` → OI, CI, ID. */
function pairs(codes: string): string[] {
  return codes.match(/../g) ?? [];
}

/** The directory's ACL in SDDL through icacls, or undefined when it cannot be had. */
export function directorySddl(dir: string): string | undefined {
  const saved = join(tmpdir(), `together-login-acl-${randomUUID()}.txt`);
  try {
    const result = spawnSync('icacls', [dir, '/save', saved, '/q'], { stdio: 'ignore', windowsHide: true });
    if (result.error || result.status !== 0) return undefined;
    // icacls writes UTF-16LE: the object's name on one line, its SDDL on the next.
    return readFileSync(saved, 'utf16le');
  } catch {
    return undefined;
  } finally {
    rmSync(saved, { force: true });
  }
}

/**
 * A disk store that, on Windows, says after writing tokens when other users of the machine can read them. Only on
 * writes (a login or a refresh), so that a cache hit runs nothing more; the write itself is never failed by it.
 */
export function warnWhenReadableByOthers(
  store: TokenStore,
  dir: string,
  logger: Logger,
  sddlOf: (dir: string) => string | undefined = directorySddl,
): TokenStore {
  let checked = false;
  return {
    read: () => store.read(),
    discard: () => store.discard?.() ?? Promise.resolve(),
    async write(entry) {
      await store.write(entry);
      if (checked) return;
      checked = true;
      const sddl = sddlOf(dir);
      const readers = sddl === undefined ? [] : othersWhoCanRead(sddl);
      if (sddl === undefined) logger.debug(1, `could not read the ACL of ${dir} (icacls)`);
      if (readers.length > 0) {
        logger.warn(
          `the token cache ${dir} can be read by other users of this machine (its ACL lets ${readers.join(', ')} read files there); ` +
            'keep --token-cache-dir inside your user profile, or use --token-cache-storage=keyring',
        );
      }
    },
  };
}
