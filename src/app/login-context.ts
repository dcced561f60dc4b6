/** What a login knows of the run that needs it, beyond the flags (get-token and setup both start logins). */
import type { LoginRecordStore } from '../core/ports.js';

export interface LoginContext {
  /** From KUBERNETES_EXEC_INFO: false when kubectl has no terminal for us, undefined on a manual run. */
  readonly interactive: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The key's login record (get-token): logins in progress and recent failures. setup has none. */
  readonly record?: LoginRecordStore;
  /** The token cache key (get-token): the discovery document is cached under it. setup caches none. */
  readonly cacheKey?: string;
}
