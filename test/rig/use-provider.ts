/**
 * One rig provider for a describe block (or a whole test file), with its vitest hooks: started before the block's
 * first test, closed after its last, and its fault cleared after every test, so a fault one test switches on never
 * reaches the next. Kept apart from provider.ts because the demo and `npm run provider` start the provider without
 * vitest.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type ProviderOptions, type RigProvider, startProvider } from './provider.js';

/**
 * Call it where the block declares its provider (before hooks that use the provider: vitest runs `beforeAll` hooks
 * in the order they are registered, and `afterAll` hooks in reverse). The answer stands for the running provider, so
 * the tests read `provider.issuer` as they would on the result of `startProvider`; outside a test or hook of the
 * block (where no provider runs) reading any member throws.
 */
export function useRigProvider(options: ProviderOptions = {}): RigProvider {
  let running: RigProvider | undefined;
  const live = (): RigProvider => {
    if (!running)
      throw new Error('the provider of useRigProvider runs only inside the tests and hooks of its block');
    return running;
  };
  beforeAll(async () => {
    running = await startProvider(options);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  afterEach(() => running?.setFault(undefined));
  // Every member, present and future, read from the provider running now (its methods are closures: no `this`).
  return new Proxy({} as RigProvider, { get: (_, member) => Reflect.get(live(), member) });
}
