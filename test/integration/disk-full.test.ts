/**
 * A full disk during a refresh: the provider has rotated the refresh token, and the new entry cannot be written.
 * kubectl must still get the new token (with a warning), and no entry holding the now-dead refresh token may stay.
 * The cache directory is a small tmpfs in a private mount namespace (`unshare -m`, root), filled up between calls.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginBin } from '../rig/build.js';
import { loginArgs, parseCredential, runCommand, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';

/** Switching uids (setpriv, chown) and mounting need root, as in CI; elsewhere these tests skip, loudly. */
const isRoot = requirement(process.getuid?.() === 0, {
  underCi: 'these tests switch uids or mount a tmpfs: CI runs them as root',
  skipping: 'the tests that need root (uid switches, a tmpfs mount): run as root to include them',
});

const script = `
set -u
cache="$1"; out="$2"; shift 2
mount -t tmpfs -o size=512k,mode=0700 tmpfs "$cache" || exit 90
entries() { ls "$cache" | grep -E '^together-login-v1-[0-9a-f]{64}[.]json$'; }
"$PLUGIN" "$@" > "$out/login.json" 2> "$out/login.err" || exit 91
cp "$cache/$(entries)" "$out/before.json"
dd if=/dev/zero of="$cache/filler" bs=4k 2>/dev/null
"$PLUGIN" "$@" --force-refresh > "$out/refresh.json" 2> "$out/refresh.err"
echo $? > "$out/refresh.code"
entries > "$out/entries-after-refresh"
rm "$cache/filler"
"$PLUGIN" "$@" > "$out/next.json" 2> "$out/next.err"
echo $? > "$out/next.code"
`;

describe.skipIf(!isRoot)('disk full during a refresh', () => {
  const provider = useRigProvider();

  it('hands kubectl the new token, warns, and leaves no entry with the dead refresh token', async () => {
    const base = tempDir('disk-full');
    const cache = join(base, 'cache');
    const out = join(base, 'out');
    mkdirSync(cache, { mode: 0o700 });
    mkdirSync(out);
    const args = loginArgs(provider.issuer, publicClientId, cache);
    const run = await runCommand('unshare', ['-m', 'sh', '-c', script, 'sh', cache, out, ...args], {
      PLUGIN: pluginBin,
    });
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    const before = JSON.parse(read('before.json'));

    expect(read('refresh.code').trim(), read('refresh.err')).toBe('0');
    // The provider refreshed (and rotated the refresh token); kubectl got the new ID token.
    expect(provider.grants.get('refresh_token')).toBe(1);
    expect(parseCredential(read('refresh.json')).token.split('.')).toHaveLength(3);
    expect(before.refreshToken).toBeTruthy();
    expect(read('refresh.err')).toMatch(
      /warning: the token was not cached \(.*ENOSPC.*\); the previous entry, whose refresh token is no longer valid, was removed/,
    );
    expect(read('entries-after-refresh')).toBe('');

    // With space again, the next call logs in (it does not fail on the dead refresh token).
    expect(read('next.code').trim(), read('next.err')).toBe('0');
    expect(provider.grantErrors).not.toContain('invalid_grant');
  });
});
