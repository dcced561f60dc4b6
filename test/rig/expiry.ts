/**
 * Waiting for a token to expire: until the moment its own `exp` names has passed, not for a guessed duration, so a
 * slow machine never wakes up too early and a fast one never waits longer than needed.
 */
import { decodeJwt } from 'jose';

export async function waitUntilExpired(jwt: string): Promise<void> {
  const { exp } = decodeJwt(jwt);
  if (typeof exp !== 'number') throw new Error('the token has no exp claim');
  // Verifiers compare whole seconds (`exp <= now`): past exp * 1000 every one of them sees it expired.
  for (let left = exp * 1000 - Date.now(); left >= 0; left = exp * 1000 - Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, left + 10));
  }
}
