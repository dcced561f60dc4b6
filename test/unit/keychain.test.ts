import { describe, expect, it } from 'vitest';
import { accountsInKeychainDump } from '../../src/cache/keychain-dump.js';
import {
  deleteKeyringEntry,
  itemsOfEntry,
  keyringChunkSize,
  keyringService,
} from '../../src/cache/keyring-store.js';

const key = 'a'.repeat(64);
const other = 'b'.repeat(64);

/** One item as `security dump-keychain` prints it (no -d: attributes only). */
function dumpItem(klass: string, service: string | null, account: string | null, hexAccount = false): string {
  const blob = (value: string | null) => (value === null ? '<NULL>' : `"${value}"`);
  const acct =
    account !== null && hexAccount
      ? `0x${Buffer.from(account).toString('hex').toUpperCase()}  "${account}"`
      : blob(account);
  return [
    'keychain: "/Users/ada/Library/Keychains/login.keychain-db"',
    'version: 512',
    `class: ${klass === 'genp' ? '"genp"' : `0x${klass}`}`,
    'attributes:',
    `    0x00000007 <blob>=${blob(service)}`,
    '    0x00000008 <blob>=<NULL>',
    `    "acct"<blob>=${acct}`,
    '    "cdat"<timedate>=0x32303236313230313134303030305A00  "20261201140000Z\\000"',
    '    "crtr"<uint32>=<NULL>',
    '    "desc"<blob>=<NULL>',
    '    "icmt"<blob>=<NULL>',
    `    "svce"<blob>=${blob(service)}`,
    '    "type"<uint32>=<NULL>',
    '',
  ].join('\n');
}

describe('our accounts in a Keychain dump (attributes only)', () => {
  it.each([
    ['none', '', []],
    ['one entry', dumpItem('genp', keyringService, key), [key]],
    [
      'an entry with a continuation item, and the encryption key',
      [
        dumpItem('genp', keyringService, key),
        dumpItem('genp', keyringService, `${key}#0b5c#1`),
        dumpItem('genp', keyringService, 'encryption-key'),
      ].join(''),
      [key, `${key}#0b5c#1`, 'encryption-key'],
    ],
    [
      'other services and other classes are not ours',
      [
        dumpItem('genp', 'com.apple.account', key),
        dumpItem('inet', keyringService, other),
        dumpItem('genp', `${keyringService}-other`, other),
        dumpItem('genp', keyringService, other),
      ].join(''),
      [other],
    ],
    ['an account printed in hex', dumpItem('genp', keyringService, key, true), [key]],
    ['an item without account', dumpItem('genp', keyringService, null), []],
  ])('%s', (_, dump, accounts) => {
    expect(accountsInKeychainDump(dump, keyringService)).toEqual(accounts);
  });
});

describe('keyring item size', () => {
  it.each([
    ['win32', 1200],
    ['linux', 1200],
    ['darwin', Number.POSITIVE_INFINITY],
  ] as const)('%s: %s characters', (platform, size) => {
    expect(keyringChunkSize(platform)).toBe(size);
  });
});

describe('removing an entry', () => {
  it.each([
    [[key], [key]],
    [
      [key, `${key}#w1#1`, `${key}#w1#2`, other, `${other}#w2#1`],
      [key, `${key}#w1#1`, `${key}#w1#2`],
    ],
    // A continuation left by an interrupted write goes with its entry.
    [
      [`${key}#old#1`, key, `${key}#new#1`],
      [`${key}#old#1`, key, `${key}#new#1`],
    ],
    [[other, 'encryption-key', `${key}x`], []],
  ])('items of the entry among %o', (accounts, items) => {
    expect(itemsOfEntry(accounts, key)).toEqual(items);
  });

  it('finds its items by name and reads none of them (each read may ask the user on macOS)', () => {
    const stored = new Map([
      [key, 'v1:w1:2:head'],
      [`${key}#w1#1`, 'rest'],
      [other, 'v1:w2:1:x'],
      ['encryption-key', 'k'],
    ]);
    const reads: string[] = [];
    const deletes: string[] = [];
    const keyring = {
      accounts: () => [...stored.keys()],
      item: (account: string) => ({
        getPassword: () => {
          reads.push(account);
          return stored.get(account) ?? null;
        },
        setPassword: () => undefined,
        deleteCredential: () => {
          deletes.push(account);
          return stored.delete(account);
        },
      }),
    };
    expect(deleteKeyringEntry(keyring, key)).toBe(true);
    expect(reads).toEqual([]);
    expect(deletes).toEqual([key, `${key}#w1#1`]);
    expect([...stored.keys()]).toEqual([other, 'encryption-key']);
    expect(deleteKeyringEntry(keyring, key)).toBe(false);
  });
});
