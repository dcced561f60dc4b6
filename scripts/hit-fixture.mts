/**
 * A get-token call that is a cache hit: a private cache directory holding a valid entry written with the plugin's
 * own key code, and the arguments that find it. `npm run bench` times it; the release runs it once to record which
 * bytecode a hit uses (scripts/release/bytecode-order.mts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryFormat } from '../src/core/cache-entry.js';
import { cacheEntryFileName, cacheKey, cacheKeyFields, exchangeCacheKey } from '../src/core/cache-key.js';
import { parseGetTokenInput } from '../src/flags/parse-get-token.js';

/** KUBERNETES_EXEC_INFO as kubectl sets it for a non-interactive call. */
export const execInfo =
  '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}';

/** A JWT-shaped string of about `size` characters of payload. */
export const fakeJwt = (size: number) => `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(size)}.${'s'.repeat(342)}`;

/**
 * Writes the entry under `dir` (an ID token of typical size unless given) and returns the hit's arguments, the cache
 * directory and the entry's key.
 */
export function writeHitFixture(
  dir: string,
  idToken?: string,
): { args: string[]; cacheDir: string; key: string } {
  const cacheDir = join(dir, 'oidc-login');
  const args = [
    'get-token',
    '--oidc-issuer-url=https://idp.example.com',
    '--oidc-client-id=kubernetes',
    '--oidc-extra-scope=email,groups',
    `--token-cache-dir=${cacheDir}`,
  ];
  const input = parseGetTokenInput(args.slice(1), { env: {}, homeDir: tmpdir() });
  const now = Date.now();
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const key = cacheKey(cacheKeyFields(input, { env: {}, certificateAuthorities: () => [] }));
  // A realistic entry: tokens of typical size, valid for an hour.
  writeFileSync(
    join(cacheDir, cacheEntryFileName(key)),
    JSON.stringify({
      format: entryFormat,
      issuer: input.issuerUrl,
      clientId: input.clientId,
      key,
      obtainedAt: now,
      idToken: idToken ?? fakeJwt(800),
      idTokenExpiresAt: now + 3_600_000,
      accessToken: fakeJwt(500),
      accessTokenExpiresAt: now + 3_600_000,
      refreshToken: 'r'.repeat(64),
    }),
    { mode: 0o600 },
  );
  return { args, cacheDir, key };
}

/** The audience of the exchanged token that writeExchangedHitFixture caches. */
export const hitAudience = 'cluster-a';

/**
 * Beside the login's entry of writeHitFixture, the entry of a token exchanged for a cluster's audience,
 * which a hit reads alone; returns the arguments of that hit.
 */
export function writeExchangedHitFixture(
  fixture: { args: readonly string[]; cacheDir: string; key: string },
  idToken?: string,
): string[] {
  const key = exchangeCacheKey(fixture.key, { audience: hitAudience, requestedTokenType: 'id-token' });
  const now = Date.now();
  writeFileSync(
    join(fixture.cacheDir, cacheEntryFileName(key)),
    JSON.stringify({
      format: entryFormat,
      issuer: 'https://idp.example.com',
      clientId: 'kubernetes',
      key,
      loginKey: fixture.key,
      audience: hitAudience,
      obtainedAt: now,
      idToken: idToken ?? fakeJwt(800),
      idTokenExpiresAt: now + 3_600_000,
    }),
    { mode: 0o600 },
  );
  return [...fixture.args, `--token-exchange-audience=${hitAudience}`];
}
