import { describe, expect, it } from 'vitest';
import type { CacheEntry } from '../../src/core/cache-entry.js';
import { othersWhoCanRead, warnWhenReadableByOthers } from '../../src/platform/windows-acl.js';

const me = 'S-1-5-21-1004336348-1177238915-682003330-1001';
// What `icacls <dir> /save` writes: the object's name, then its SDDL (here a profile folder's ACL, inherited).
const profile = `oidc-login\r\nD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;FA;;;${me})\r\n`;

describe('who else can read files created in a directory (SDDL)', () => {
  it.each([
    ['a profile folder: SYSTEM, Administrators and the user', profile, []],
    [
      'below C:\\ (Users read and execute, Authenticated Users modify)',
      `x\r\nD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;OICIIOID;SDGXGWGR;;;AU)(A;ID;0x1301bf;;;AU)\r\n`,
      ['Authenticated Users', 'Users'],
    ],
    ['Everyone full control', `D:P(A;OICI;FA;;;WD)`, ['Everyone']],
    ['Everyone by SID, generic read', `D:(A;OICI;GR;;;S-1-1-0)`, ['Everyone']],
    [
      'Users may only list the directory (no OI: files do not inherit it)',
      `D:P(A;CI;0x1200a9;;;BU)(A;OICI;FA;;;${me})`,
      [],
    ],
    ['Users may write but not read', `D:P(A;OICI;0x100116;;;BU)`, []],
    ['a deny before the allow wins', `D:P(D;OICI;FR;;;BU)(A;OICI;FA;;;BU)`, []],
    ['an allow before a deny is what Windows applies', `D:P(A;OICI;FR;;;BU)(D;OICI;FR;;;BU)`, ['Users']],
    ['Domain Users of some domain', `D:P(A;OICI;FR;;;S-1-5-21-1-2-3-513)`, ['Domain Users']],
    ['a named other user is not "broad": not reported', `D:P(A;OICI;FA;;;S-1-5-21-1-2-3-1002)`, []],
    [
      'owner and group before the DACL, SACL after',
      `O:${me}G:${me}D:PAI(A;OICI;FA;;;IU)S:AI(AU;SA;FA;;;WD)`,
      ['Interactive users'],
    ],
    ['no DACL in the text', 'something else', []],
  ])('%s', (_, sddl, readers) => {
    expect(othersWhoCanRead(sddl)).toEqual(readers);
  });
});

describe('the disk store on Windows', () => {
  const entry = { issuer: 'https://idp' } as unknown as CacheEntry;
  function setup(sddl: string | undefined) {
    const warnings: string[] = [];
    const written: CacheEntry[] = [];
    const lookups: string[] = [];
    const store = warnWhenReadableByOthers(
      { read: async () => undefined, write: async (e) => void written.push(e) },
      'C:\\kube-cache',
      { info() {}, debug() {}, warn: (message) => warnings.push(message) },
      (dir) => {
        lookups.push(dir);
        return sddl;
      },
    );
    return { store, warnings, written, lookups };
  }

  it('says after a write when others can read the tokens, once per run', async () => {
    const { store, warnings, written, lookups } = setup('D:(A;OICIID;0x1200a9;;;BU)');
    await store.write(entry);
    await store.write(entry);
    expect(written).toHaveLength(2);
    expect(lookups).toEqual(['C:\\kube-cache']);
    expect(warnings).toEqual([
      'the token cache C:\\kube-cache can be read by other users of this machine (its ACL lets Users read files there); keep --token-cache-dir inside your user profile, or use --token-cache-storage=keyring',
    ]);
  });

  it.each([
    ['a private directory', profile],
    ['an ACL that could not be read', undefined],
  ])('%s: says nothing', async (_, sddl) => {
    const { store, warnings, written } = setup(sddl);
    await store.write(entry);
    expect(written).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('a read looks at no ACL', async () => {
    const { store, lookups } = setup(profile);
    await store.read();
    expect(lookups).toEqual([]);
  });
});
