/**
 * The release targets: one zip per platform, named as users' install pages name them
 * (kubectl-together_login_<os>_<arch>.zip), each built from the Bun runtime and the keyring addon of its platform.
 * Both come from the npm registry, at the versions and integrity hashes of package-lock.json.
 */
export interface ReleaseTarget {
  readonly os: 'linux' | 'darwin' | 'windows';
  readonly arch: 'amd64' | 'arm64';
  /** bun build --target */
  readonly bunTarget: string;
  readonly runtimePackage: string;
  /**
   * The @napi-rs/keyring addon package embedded in the executable; none on Windows, where the executable calls the
   * Credential Manager itself: the addon's Windows build needs VCRUNTIME140.dll, which a clean Windows lacks.
   */
  readonly keyringPackage: string | undefined;
  /** What `file` says about the executable. */
  readonly fileFormat: RegExp;
}

export const releaseTargets: readonly ReleaseTarget[] = [
  {
    os: 'linux',
    arch: 'amd64',
    bunTarget: 'bun-linux-x64',
    runtimePackage: '@oven/bun-linux-x64',
    keyringPackage: '@napi-rs/keyring-linux-x64-gnu',
    fileFormat: /^ELF 64-bit LSB executable, x86-64\b/,
  },
  {
    os: 'linux',
    arch: 'arm64',
    bunTarget: 'bun-linux-arm64',
    runtimePackage: '@oven/bun-linux-aarch64',
    keyringPackage: '@napi-rs/keyring-linux-arm64-gnu',
    fileFormat: /^ELF 64-bit LSB executable, ARM aarch64\b/,
  },
  {
    os: 'darwin',
    arch: 'amd64',
    bunTarget: 'bun-darwin-x64',
    runtimePackage: '@oven/bun-darwin-x64',
    keyringPackage: '@napi-rs/keyring-darwin-x64',
    fileFormat: /^Mach-O 64-bit x86_64 executable\b/,
  },
  {
    os: 'darwin',
    arch: 'arm64',
    bunTarget: 'bun-darwin-arm64',
    runtimePackage: '@oven/bun-darwin-aarch64',
    keyringPackage: '@napi-rs/keyring-darwin-arm64',
    fileFormat: /^Mach-O 64-bit arm64 executable\b/,
  },
  {
    os: 'windows',
    arch: 'amd64',
    bunTarget: 'bun-windows-x64',
    runtimePackage: '@oven/bun-windows-x64',
    keyringPackage: undefined,
    fileFormat: /^PE32\+ executable \(console\) x86-64\b.*MS Windows/,
  },
];

/**
 * The @napi-rs/keyring build for Windows: it imports VCRUNTIME140.dll, so no release carries it (the Windows
 * executable calls the Credential Manager itself). The release still fetches it, as the evidence its tests
 * compare against: they run in a private network namespace, where npm cannot fetch anything.
 */
export const windowsKeyringAddonPackage = '@napi-rs/keyring-win32-x64-msvc';

export const commandName = 'kubectl-together_login';
/** The krew plugin name: krew links it as kubectl-together_login, which kubectl runs as `kubectl together-login`. */
export const krewPluginName = 'together-login';

export const zipName = (target: ReleaseTarget): string => `${commandName}_${target.os}_${target.arch}.zip`;
export const executableName = (target: ReleaseTarget): string =>
  target.os === 'windows' ? `${commandName}.exe` : commandName;
/** The runtime's executable inside its package. */
export const runtimeFile = (target: ReleaseTarget): string =>
  target.os === 'windows' ? 'bin/bun.exe' : 'bin/bun';
/** The addon inside its package: keyring.<platform suffix>.node. */
export const keyringAddonFile = (keyringPackage: string): string =>
  `keyring.${keyringPackage.replace('@napi-rs/keyring-', '')}.node`;
