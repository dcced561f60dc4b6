/** The check every emulated or foreign-OS run of an executable makes: a password login, then a cache hit. */
import { expect } from 'vitest';
import { type PluginResult, parseCredential, passwordLoginArgs } from '../rig/plugin.js';
import type { RigProvider } from '../rig/provider.js';

/**
 * Logs alice in with the password grant through `run` (the executable under qemu, wine, …), then runs it again:
 * the second call must answer from the cache with the same token and no request to the provider.
 */
export async function expectLoginThenCacheHit(
  run: (args: readonly string[]) => Promise<PluginResult>,
  provider: RigProvider,
  extra: readonly string[] = [],
): Promise<void> {
  const args = passwordLoginArgs(provider.issuer, extra);
  provider.resetCounts();
  const login = await run(args);
  expect(login.code, login.stderr).toBe(0);
  expect(provider.grants.get('password')).toBe(1);
  provider.resetCounts();
  const hit = await run(args);
  expect(hit.code, hit.stderr).toBe(0);
  expect(parseCredential(hit.stdout).token).toBe(parseCredential(login.stdout).token);
  expect(provider.totalRequests()).toBe(0);
}
