/**
 * What get-token needs on a cache miss and never on a hit: the lock library, openid-client and the flows. It is
 * part of the second bundle (src/full.ts); the fast-path bundle loads it through load-login-machinery.ts.
 */
export { createKeyLock } from '../cache/lock.js';
export { createLoginRecordStore } from '../cache/login-record-store.js';
export { createAuthenticator } from './authenticator.js';
export { createCiAuthenticator } from './ci-login.js';
