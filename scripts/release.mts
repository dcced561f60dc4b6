/**
 * npm run release [-- --base-url=URL] [--only=linux_amd64,…]: writes release/ (docs/release.md):
 *   kubectl-together_login_<os>_<arch>.zip and .zip.sha256 for every target of scripts/release/targets.mts,
 *   together-login.yaml, the krew manifest whose URIs are <base-url>/<zip name>.
 * The base URL is where the zips will be downloadable (a release page's download folder); without one, the manifest
 * points at the files of release/ itself (file://), for trying it locally. Needs nothing beyond `npm ci` and the npm
 * registry: the other platforms' Bun runtimes and keyring addons are fetched with `npm pack`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { projectHomepage, readPackageJson } from './build-info.mjs';
import { krewManifest, writeChecksumFile, writeZip } from './release/artifacts.mjs';
import { recordHitBytecodeOrder } from './release/bytecode-order.mjs';
import { platformPackageDirs } from './release/platform-packages.mjs';
import { bundleForStandalone, compileStandalone, type KeyringAccess } from './release/standalone.mjs';
import {
  commandName,
  executableName,
  keyringAddonFile,
  krewPluginName,
  type ReleaseTarget,
  releaseTargets,
  runtimeFile,
  windowsKeyringAddonPackage,
  zipName,
} from './release/targets.mjs';
import { signAuthenticode, signingConfigFrom, withWindowsIdentity } from './release/windows-identity.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const releaseDir = join(repoRoot, 'release');
const { values } = parseArgs({ options: { 'base-url': { type: 'string' }, only: { type: 'string' } } });
const only = values.only?.split(',');
const targets = releaseTargets.filter((t) => !only || only.includes(`${t.os}_${t.arch}`));
if (targets.length === 0)
  throw new Error(`--only names no target of ${releaseTargets.map((t) => `${t.os}_${t.arch}`)}`);
const publishedAt = values['base-url'] ?? process.env.RELEASE_BASE_URL;
const baseUrl = publishedAt ?? pathToFileURL(releaseDir).href;
const pkg = readPackageJson();
const { version } = pkg;
// Checked before the long build: a malformed homepage fails here.
const homepage = projectHomepage(pkg);

// Authenticode signing of the Windows executable, when a certificate is configured (docs/release.md).
const signing = signingConfigFrom(process.env);

/** The Windows runtime with our version resource instead of Bun's (scripts/release/windows-identity.mts). */
async function windowsRuntime(runtime: string | undefined, dir: string): Promise<string> {
  if (!runtime)
    throw new Error('the Windows executable is compiled from the bun-windows-x64 runtime package');
  const edited = join(dir, 'runtime.exe');
  writeFileSync(
    edited,
    await withWindowsIdentity(readFileSync(runtime), {
      version,
      description: pkg.description,
      license: pkg.license,
    }),
  );
  return edited;
}

const started = Date.now();
rmSync(releaseDir, { recursive: true, force: true });
mkdirSync(releaseDir);
const work = mkdtempSync(join(tmpdir(), 'kubectl-together_login-release-'));
try {
  // The bytecode a cache hit uses is recorded by a first build for this machine (every target's build then lays it
  // out first); without a target for this machine, the executables are built without it.
  const hostTarget = releaseTargets.find((t) => `${t.os}_${t.arch}` === hostPlatform());
  const packages = platformPackageDirs(
    repoRoot,
    [...new Set([...targets, ...(hostTarget ? [hostTarget] : [])])]
      .flatMap((t) => [t.runtimePackage, ...(t.keyringPackage ? [t.keyringPackage] : [])])
      .concat(windowsKeyringAddonPackage),
  );
  const packageFile = (name: string, file: string) => join(packages.get(name) as string, file);
  const runtimeOf = (target: ReleaseTarget) => {
    const file = packageFile(target.runtimePackage, runtimeFile(target));
    if (existsSync(file)) return file;
    // npm's install of `bun` moves the host's runtime out of its package into node_modules/bun: Bun then compiles
    // with itself, the same runtime.
    if (packages.get(target.runtimePackage) === join(repoRoot, 'node_modules', target.runtimePackage))
      return undefined;
    throw new Error(`the Bun runtime ${file} is missing`);
  };
  // One bundle per way to the keyring; the executables name the published folder in the installHint of the
  // kubeconfigs they write.
  const bundles = new Map<KeyringAccess, string>();
  const bundleFor = async (keyring: KeyringAccess) => {
    let bundleDir = bundles.get(keyring);
    if (!bundleDir) {
      bundleDir = join(work, `bundles-${keyring}`);
      await bundleForStandalone(repoRoot, bundleDir, publishedAt, keyring);
      bundles.set(keyring, bundleDir);
    }
    return bundleDir;
  };
  const compile = async (target: ReleaseTarget, workDir: string, bytecodeOrder?: string) => {
    const executable = join(workDir, 'out', executableName(target));
    mkdirSync(workDir, { recursive: true });
    await compileStandalone({
      repoRoot,
      bundleDir: await bundleFor(target.keyringPackage ? 'addon' : 'credential-manager'),
      bunTarget: target.bunTarget,
      runtime: target.os === 'windows' ? await windowsRuntime(runtimeOf(target), workDir) : runtimeOf(target),
      keyringAddon:
        target.keyringPackage && packageFile(target.keyringPackage, keyringAddonFile(target.keyringPackage)),
      workDir,
      outfile: executable,
      bytecodeOrder,
    });
    return executable;
  };
  const bytecodeOrder =
    hostTarget && recordHitBytecodeOrder(await compile(hostTarget, join(work, 'bytecode-order')), work);
  if (!bytecodeOrder)
    console.log(`release: no target runs here (${hostPlatform()}): built without a bytecode order`);
  const mtime = commitTime();
  const platforms: { target: ReleaseTarget; sha256: string }[] = [];
  const zips: Promise<void>[] = [];
  for (const target of targets) {
    const executable = await compile(target, join(work, `${target.os}_${target.arch}`), bytecodeOrder);
    if (target.os === 'windows' && signing) {
      await signAuthenticode(executable, signing, { name: commandName, url: homepage });
      console.log(`release: ${executableName(target)} signed with ${signing.pkcs12}`);
    }
    const zipPath = join(releaseDir, zipName(target));
    // Compressing runs on libuv's threads while the next target compiles.
    zips.push(
      writeZip({
        zipPath,
        executable,
        executableEntry: executableName(target),
        license: join(repoRoot, 'LICENSE'),
        mtime,
      }).then(() => {
        platforms.push({ target, sha256: writeChecksumFile(zipPath) });
        const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
        console.log(
          `release: ${zipName(target)} ${mb(statSync(zipPath).size)} (executable ${mb(statSync(executable).size)})`,
        );
      }),
    );
  }
  await Promise.all(zips);
  platforms.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target));
  writeFileSync(
    join(releaseDir, `${krewPluginName}.yaml`),
    krewManifest({ version, homepage, baseUrl, platforms }),
  );
  console.log(
    `release: ${krewPluginName}.yaml with URIs under ${baseUrl}${publishedAt ? '' : ' (pass --base-url=URL for a published release)'}`,
  );
  console.log(`release: ${targets.length} targets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** This machine as the targets name platforms (linux_amd64, darwin_arm64, …). */
function hostPlatform(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${os}_${arch}`;
}

/** The commit's time for the zip entries (SOURCE_DATE_EPOCH first, as reproducible builds expect). */
function commitTime(): Date {
  const epoch =
    process.env.SOURCE_DATE_EPOCH ??
    (() => {
      try {
        return execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot, encoding: 'utf8' }).trim();
      } catch {
        return undefined;
      }
    })();
  return epoch ? new Date(Number(epoch) * 1000) : new Date();
}
