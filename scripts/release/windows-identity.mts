/**
 * Who the Windows executable says it is. Bun copies its runtime's resources into every program it compiles, so ours
 * read CompanyName "Oven", FileDescription "Bun", OriginalFilename "bun.exe", with Bun's icon: SmartScreen, AppLocker
 * and the Properties dialog then show "bun.exe". Bun's own `--windows-*` options work only when compiling on
 * Windows, so the release rewrites the runtime's version resource (resedit, pure JavaScript) before Bun compiles
 * with it, and drops the icons. Bun adds its program as a section after the resources, which resedit cannot edit
 * around: the runtime is edited, not the result.
 *
 * Then, when a certificate is configured, an Authenticode signature (osslsigncode): docs/release.md says what a real
 * release needs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The members of resedit used here. Its declarations carry `/// <reference lib="dom" />`, which would put the DOM's
 * fetch types into the whole project's typecheck (src/ is Node code): the module is loaded untyped, through a
 * specifier TypeScript does not resolve, and typed by this interface.
 */
interface ResourceEntry {
  readonly type: string | number;
}
interface Resedit {
  NtExecutable: { from(bin: Buffer, options: { ignoreCert: boolean }): { generate(): ArrayBuffer } };
  NtExecutableResource: {
    from(exe: unknown): { entries: ResourceEntry[]; outputResource(exe: unknown): void };
  };
  Resource: {
    VersionInfo: {
      create(param: {
        lang: number;
        fixedInfo: object;
        strings: { lang: number; codepage: number; values: Record<string, string> }[];
      }): {
        setFileVersion(major: number, minor: number, micro: number, revision: number, lang: number): void;
        setProductVersion(major: number, minor: number, micro: number, revision: number, lang: number): void;
        setStringValues(language: { lang: number; codepage: number }, values: Record<string, string>): void;
        outputToResourceEntries(entries: ResourceEntry[]): void;
      };
    };
  };
}
const reseditModule: string = 'resedit';

export interface WindowsIdentity {
  /** package.json's version, "0.1.0". */
  readonly version: string;
  readonly description: string;
  readonly license: string;
}

const RT_ICON = 3;
const RT_GROUP_ICON = 14;
const enUs = { lang: 1033, codepage: 1200 };

/** The runtime with our version resource instead of Bun's, and without Bun's icon. */
export async function withWindowsIdentity(runtime: Buffer, identity: WindowsIdentity): Promise<Buffer> {
  const { NtExecutable, NtExecutableResource, Resource } = (await import(reseditModule)) as Resedit;
  const exe = NtExecutable.from(runtime, { ignoreCert: true });
  const resources = NtExecutableResource.from(exe);
  resources.entries = resources.entries.filter((e) => e.type !== RT_ICON && e.type !== RT_GROUP_ICON);
  const [major = 0, minor = 0, patch = 0] = identity.version.split(/[.+-]/).map((n) => Number(n) || 0);
  const info = Resource.VersionInfo.create({
    lang: enUs.lang,
    fixedInfo: {},
    strings: [
      {
        ...enUs,
        values: {
          FileDescription: identity.description,
          FileVersion: identity.version,
          InternalName: 'kubectl-together_login',
          OriginalFilename: 'kubectl-together_login.exe',
          ProductName: 'kubectl-together_login',
          ProductVersion: identity.version,
          LegalCopyright: `Licensed under ${identity.license}`,
        },
      },
    ],
  });
  // The numeric versions (the Properties dialog's "File version"); these also write "0.1.0.0" into the strings,
  // which keep package.json's form.
  info.setFileVersion(major, minor, patch, 0, enUs.lang);
  info.setProductVersion(major, minor, patch, 0, enUs.lang);
  info.setStringValues(enUs, { FileVersion: identity.version, ProductVersion: identity.version });
  // Replaces Bun's (every language of RT_VERSION 1).
  resources.entries = resources.entries.filter((e) => e.type !== 16);
  info.outputToResourceEntries(resources.entries);
  resources.outputResource(exe);
  return Buffer.from(exe.generate());
}

/**
 * The Authenticode certificate of a release, from the environment (a CI secret), or undefined: then the
 * executable stays unsigned, as Bun leaves it.
 *   WINDOWS_SIGNING_PKCS12           a .p12/.pfx file with the code-signing certificate, its chain and key
 *   WINDOWS_SIGNING_PASSWORD         its password (given to osslsigncode in a private file, not on its command line)
 *   WINDOWS_SIGNING_TIMESTAMP_URL    an RFC 3161 time-stamping service, so the signature outlives the certificate
 */
export interface SigningConfig {
  readonly pkcs12: string;
  readonly password: string | undefined;
  readonly timestampUrl: string | undefined;
}

export function signingConfigFrom(
  env: Readonly<Record<string, string | undefined>>,
): SigningConfig | undefined {
  if (!env.WINDOWS_SIGNING_PKCS12) return undefined;
  return {
    pkcs12: env.WINDOWS_SIGNING_PKCS12,
    password: env.WINDOWS_SIGNING_PASSWORD,
    timestampUrl: env.WINDOWS_SIGNING_TIMESTAMP_URL || undefined,
  };
}

/** Signs the executable in place with osslsigncode (SHA-256), naming the program and, when set, its page. */
export async function signAuthenticode(
  executable: string,
  config: SigningConfig,
  program: { name: string; url: string | undefined },
): Promise<void> {
  const work = mkdtempSync(`${executable}.signing-`);
  try {
    const passwordFile = join(work, 'password');
    writeFileSync(passwordFile, config.password ?? '', { mode: 0o600 });
    const signed = join(work, 'signed.exe');
    await promisify(execFile)('osslsigncode', [
      'sign',
      '-pkcs12',
      config.pkcs12,
      '-readpass',
      passwordFile,
      '-h',
      'sha256',
      '-n',
      program.name,
      ...(program.url ? ['-i', program.url] : []),
      ...(config.timestampUrl ? ['-ts', config.timestampUrl] : []),
      '-in',
      executable,
      '-out',
      signed,
    ]);
    renameSync(signed, executable);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
