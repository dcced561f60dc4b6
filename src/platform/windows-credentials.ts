/**
 * The Windows Credential Manager through advapi32's Cred* functions, called with Bun's FFI: the keyring of the
 * standalone Windows executable (scripts/release/standalone.mts puts it in place of the @napi-rs/keyring addon).
 * The addon's Windows build imports VCRUNTIME140.dll, which a clean Windows 10/11 does not have (the Visual C++
 * Redistributable); advapi32.dll is part of every Windows. Only the part of the addon's API that
 * src/cache/keyring-store.ts uses is here, and the items are the ones the addon (keyring-rs) writes, so the Node
 * package and the executable share them: a generic credential named `<account>.<service>`, user name `<account>`,
 * the secret as UTF-16LE, persisted per user across logons (CRED_PERSIST_ENTERPRISE).
 */
import { credentialTarget, decodeCredentialBlob, encodeCredentialBlob } from '../core/windows-credential.js';

/** The few members of `bun:ffi` used here (the Node package never loads this module). */
interface BunFfi {
  dlopen(
    library: string,
    symbols: Record<string, { args: readonly string[]; returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  ptr(view: ArrayBufferView): number;
  read: {
    u32(pointer: number, offset: number): number;
    ptr(pointer: number, offset: number): number;
    u16(pointer: number, offset: number): number;
  };
  toArrayBuffer(pointer: number, offset: number, length: number): ArrayBuffer;
}

const credTypeGeneric = 1;
const credPersistEnterprise = 3;
const errorNotFound = 1168;
/** CREDENTIALW on x64: Flags, Type, TargetName, Comment, LastWritten, CredentialBlobSize, CredentialBlob, Persist, … */
const layout = {
  flags: 0,
  type: 4,
  targetName: 8,
  comment: 16,
  blobSize: 32,
  blob: 40,
  persist: 48,
  attributeCount: 52,
  attributes: 56,
  targetAlias: 64,
  userName: 72,
  size: 80,
} as const;

export interface WindowsCredentialItem {
  getPassword(): string | null;
  setPassword(value: string): void;
  deleteCredential(): boolean;
}

/** The keyring module's shape as keyring-store.ts uses it: `new Entry(service, account)` and findCredentials. */
export interface WindowsKeyringModule {
  Entry: new (service: string, account: string) => WindowsCredentialItem;
  findCredentials(service: string): { account: string; password: string }[];
}

export function windowsCredentialKeyring(): WindowsKeyringModule {
  const ffi = require('bun:ffi') as BunFfi;
  const { symbols: api } = ffi.dlopen('advapi32.dll', {
    CredReadW: { args: ['ptr', 'u32', 'u32', 'ptr'], returns: 'i32' },
    CredWriteW: { args: ['ptr', 'u32'], returns: 'i32' },
    CredDeleteW: { args: ['ptr', 'u32', 'u32'], returns: 'i32' },
    CredEnumerateW: { args: ['ptr', 'u32', 'ptr', 'ptr'], returns: 'i32' },
    CredFree: { args: ['ptr'], returns: 'void' },
  });
  const { symbols: kernel } = ffi.dlopen('kernel32.dll', { GetLastError: { args: [], returns: 'u32' } });

  const wide = (text: string) => Buffer.from(`${text}\0`, 'utf16le');
  const readWide = (pointer: number): string => {
    if (!pointer) return '';
    let length = 0;
    while (ffi.read.u16(pointer, length * 2) !== 0) length++;
    // toArrayBuffer refuses a length of 0.
    return length === 0 ? '' : Buffer.from(ffi.toArrayBuffer(pointer, 0, length * 2)).toString('utf16le');
  };
  const failure = (call: string) => {
    const code = kernel.GetLastError?.() as number;
    return Object.assign(new Error(`${call} failed with Windows error ${code}`), { windowsError: code });
  };
  const read = (credential: number) => {
    const size = ffi.read.u32(credential, layout.blobSize);
    const blob = ffi.read.ptr(credential, layout.blob);
    return {
      type: ffi.read.u32(credential, layout.type),
      target: readWide(ffi.read.ptr(credential, layout.targetName)),
      user: readWide(ffi.read.ptr(credential, layout.userName)),
      secret: size && blob ? Buffer.from(ffi.toArrayBuffer(blob, 0, size)) : Buffer.alloc(0),
    };
  };

  class Entry implements WindowsCredentialItem {
    readonly #target: Buffer;
    readonly #account: string;
    constructor(service: string, account: string) {
      this.#target = wide(credentialTarget(service, account));
      this.#account = account;
    }

    getPassword(): string | null {
      const out = new BigUint64Array(1);
      if (!api.CredReadW?.(ffi.ptr(this.#target), credTypeGeneric, 0, ffi.ptr(out))) {
        const error = failure('CredReadW');
        if (error.windowsError === errorNotFound) return null;
        throw error;
      }
      const credential = Number(out[0]);
      try {
        return decodeCredentialBlob(read(credential).secret);
      } finally {
        api.CredFree?.(credential);
      }
    }

    setPassword(value: string): void {
      const blob = encodeCredentialBlob(value);
      const user = wide(this.#account);
      const struct = Buffer.alloc(layout.size);
      struct.writeUInt32LE(credTypeGeneric, layout.type);
      struct.writeBigUInt64LE(BigInt(ffi.ptr(this.#target)), layout.targetName);
      struct.writeUInt32LE(blob.length, layout.blobSize);
      if (blob.length > 0) struct.writeBigUInt64LE(BigInt(ffi.ptr(blob)), layout.blob);
      struct.writeUInt32LE(credPersistEnterprise, layout.persist);
      struct.writeBigUInt64LE(BigInt(ffi.ptr(user)), layout.userName);
      if (!api.CredWriteW?.(ffi.ptr(struct), 0)) throw failure('CredWriteW');
      // The buffers the struct points into must live until the call returned.
      void [blob, user];
    }

    deleteCredential(): boolean {
      if (api.CredDeleteW?.(ffi.ptr(this.#target), credTypeGeneric, 0)) return true;
      const error = failure('CredDeleteW');
      if (error.windowsError === errorNotFound) return false;
      throw error;
    }
  }

  return {
    Entry,
    findCredentials(service) {
      const count = new Uint32Array(1);
      const list = new BigUint64Array(1);
      if (!api.CredEnumerateW?.(null, 0, ffi.ptr(count), ffi.ptr(list))) {
        const error = failure('CredEnumerateW');
        if (error.windowsError === errorNotFound) return [];
        throw error;
      }
      const array = Number(list[0]);
      try {
        const found: { account: string; password: string }[] = [];
        for (let i = 0; i < (count[0] ?? 0); i++) {
          const item = read(ffi.read.ptr(array, i * 8));
          if (item.type === credTypeGeneric && item.target === credentialTarget(service, item.user))
            found.push({ account: item.user, password: decodeCredentialBlob(item.secret) });
        }
        return found;
      } finally {
        api.CredFree?.(array);
      }
    },
  };
}
