/**
 * How a keyring item is kept in the Windows Credential Manager, as the @napi-rs/keyring addon (keyring-rs) keeps it,
 * so that the Node package (addon) and the standalone executable (src/platform/windows-credentials.ts, FFI) read
 * each other's items: a generic credential whose target name is `<account>.<service>`, the secret as UTF-16LE.
 */

export const credentialTarget = (service: string, account: string): string => `${account}.${service}`;

export function encodeCredentialBlob(value: string): Buffer {
  return Buffer.from(value, 'utf16le');
}

/** The secret of an item; an odd number of bytes is not UTF-16 (an item another program wrote as raw bytes). */
export function decodeCredentialBlob(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) throw new Error('the credential is not a UTF-16 password');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf16le');
}
