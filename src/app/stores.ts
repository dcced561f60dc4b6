/**
 * The token stores besides the plain disk one: the OS keyring, the encrypted file, and the disk store's Windows ACL
 * check. Only users who chose them run them, so the Node build gives them a bundle of their own
 * (dist/kubectl-together_login-stores.cjs, loaded by ./load-stores.ts): the disk cache hit, which every kubectl call
 * of most users takes, does not compile them (~8 KB; docs/performance.md).
 */
export { createEncryptedStore } from '../cache/encrypted-store.js';
export { createKeyringStore } from '../cache/keyring-store.js';
export { warnWhenReadableByOthers } from '../platform/windows-acl.js';
