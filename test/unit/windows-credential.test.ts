/**
 * The Credential Manager items of the standalone Windows executable are the ones the @napi-rs/keyring addon writes
 * (checked under wine: an item the addon wrote was read, listed and removed through FFI), so the Node package and
 * the executable share a user's entries.
 */
import { describe, expect, it } from 'vitest';
import {
  credentialTarget,
  decodeCredentialBlob,
  encodeCredentialBlob,
} from '../../src/core/windows-credential.js';

describe('Windows Credential Manager items', () => {
  it('are named <account>.<service>, as keyring-rs names them', () => {
    expect(credentialTarget('kubectl-together_login', 'abc#id#1')).toBe('abc#id#1.kubectl-together_login');
  });

  it('keep the secret as UTF-16LE, as keyring-rs does', () => {
    const blob = encodeCredentialBlob('v1:é€');
    expect(blob.toString('hex')).toBe('760031003a00e900ac20');
    expect(decodeCredentialBlob(blob)).toBe('v1:é€');
    expect(decodeCredentialBlob(new Uint8Array(0))).toBe('');
  });

  it('refuse a secret of an odd number of bytes (raw bytes another program wrote)', () => {
    expect(() => decodeCredentialBlob(new Uint8Array([0x76, 0x00, 0x31]))).toThrow(/not a UTF-16 password/);
  });
});
