/**
 * Checks that no secret reached any output: stderr, stdout beyond the ExecCredential token, or files beside the
 * cache entry. The PKCE verifier is never known to the test, so it is found by its hash: no printed string may
 * hash (S256) to the code_challenge of the authorization request.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface LeakCheck {
  readonly stderr: string;
  readonly stdout: string;
  /** Directories whose files (except the cache entries themselves) must hold no secret. */
  readonly dirs: readonly string[];
  readonly secrets: readonly (string | undefined)[];
  /** The credential token, allowed in stdout only. */
  readonly credentialToken?: string;
}

export function expectNoSecretLeaked(check: LeakCheck): void {
  const secrets = check.secrets.filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 6,
  );
  const stdoutWithoutCredential = check.credentialToken
    ? check.stdout.split(check.credentialToken).join('')
    : check.stdout;
  const outputs: [string, string][] = [
    ['stderr', check.stderr],
    ['stdout', stdoutWithoutCredential],
  ];
  for (const dir of check.dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (/^together-login-v1-[0-9a-f]{64}\.(json|enc)$/.test(name) || !statSync(path).isFile()) continue;
      outputs.push([path, readFileSync(path, 'utf8')]);
    }
  }
  for (const [where, text] of outputs) {
    for (const secret of secrets)
      expect(text.includes(secret), `a secret (${secret.slice(0, 4)}…) appears in ${where}`).toBe(false);
    expect(text, where).not.toMatch(/code_verifier=|[?&]code=[^&\s]/);
    for (const challenge of text.matchAll(/code_challenge=([\w-]{43})/g)) {
      for (const candidate of `${check.stderr}\n${check.stdout}`.matchAll(/[\w-]{43,128}/g)) {
        const hash = createHash('sha256').update(candidate[0]).digest('base64url');
        expect(hash === challenge[1], `the PKCE verifier appears in the output (${where})`).toBe(false);
      }
    }
  }
}
