/**
 * Our item names in the macOS Keychain, read from their attributes only. A Keychain item trusts the executable that
 * created it; an ad-hoc signed build changes with every release, so after an upgrade each read of an item's data asks
 * the user ("wants to use your confidential information"). @napi-rs/keyring's findCredentials reads the data of
 * every item it lists, which turned `status` and `clean` into one dialog per item. `security dump-keychain` without
 * -d prints only attributes (service "svce", account "acct"), which macOS gives without asking.
 */
import { spawnSync } from 'node:child_process';

/**
 * The accounts of generic passwords of `service` in the output of `security dump-keychain`. Each item starts with a
 * `keychain: "…"` line, then `class: "genp"` and its attributes, one per line: `"acct"<blob>="name"`, or, for
 * values with bytes that are not printable, `"acct"<blob>=0x6E616D65  "name"` (hex first), or `<NULL>`.
 */
export function accountsInKeychainDump(dump: string, service: string): string[] {
  const accounts: string[] = [];
  for (const item of dump.split(/^(?=keychain: )/m)) {
    if (!/^class: "genp"$/m.test(item)) continue;
    if (attribute(item, 'svce') !== service) continue;
    const account = attribute(item, 'acct');
    if (account !== undefined) accounts.push(account);
  }
  return accounts;
}

function attribute(item: string, name: string): string | undefined {
  const match = new RegExp(`^\\s*"${name}"<blob>=(?:0x([0-9A-Fa-f]+)(?:\\s.*)?|"(.*)")$`, 'm').exec(item);
  if (!match) return undefined;
  if (match[1] !== undefined) return Buffer.from(match[1], 'hex').toString('utf8');
  return match[2];
}

/** Lists our accounts through /usr/bin/security; throws when it cannot (the caller turns that into exit code 6). */
export function listKeychainAccounts(service: string): string[] {
  const result = spawnSync('/usr/bin/security', ['dump-keychain'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`security dump-keychain exited with ${result.status}: ${result.stderr.trim()}`);
  }
  return accountsInKeychainDump(result.stdout, service);
}
