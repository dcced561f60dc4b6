/**
 * What get-token needs on a cache miss and never on a hit: the lock library, openid-client and the flows. It is
 * part of the second bundle (src/full.ts); the fast-path bundle loads it through load-login-machinery.ts.
 */
export { createKeyLock } from '../cache/lock.js';
export { createLoginRecordStore } from '../cache/login-record-store.js';
// The get-token use case's miss (its hit, core/cached-token.ts, is in the entry).
export { renewToken } from '../core/renew-token.js';
export { createAuthenticator } from './authenticator.js';
export { createCiAuthenticator } from './ci-login.js';
